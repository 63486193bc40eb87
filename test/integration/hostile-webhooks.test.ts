import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { buildAlert } from '../../src/detections/alert';
import { DetectionEngine } from '../../src/detections/engine';
import { parseRuleFile } from '../../src/detections/rule-parser';
import { loadConfig } from '../../src/config/load-config';
import { signBody } from '../../src/security/signature';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { startArgus, type RunningArgus } from '../../src/main';
import { unpackJson } from '../../src/storage/packed-json';
import { tableNames } from '../../src/storage/table-store';
import { countEntities, sentinelFixture, startHarness, webhookSecret, type Harness } from '../helpers/argus-harness';
import { hostileRequests, setPath, type HostileRequest, type HostileRoute } from '../helpers/hostile-bodies';
import { installActivity, messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { home, testPeople } from '../helpers/test-people';

const bodyLimit = 256 * 1024;
const secrets = { itsm: 'test-itsm-secret', jira: 'test-jira-secret', playbooks: 'test-playbook-secret', alerts: 'test-alerts-secret' };
const env = {
  ARGUS_SECRET_ITSM_WEBHOOK_SECRET: secrets.itsm,
  ARGUS_SECRET_JIRA_WEBHOOK_SECRET: secrets.jira,
  ARGUS_SECRET_PLAYBOOK_CALLBACK_SECRET: secrets.playbooks,
  ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: secrets.alerts,
};
const { admin } = testPeople();
// One Argus can serve one ITSM: the ServiceNow route is on the harness, Jira's on a second instance over the same storage.
const config = (itsm: string) => `tenantId: ${home}
bodyLimitBytes: ${bodyLimit}
access: { roles: { admin: { users: [${admin.aadObjectId}] } } }
itsm:
  createFor: []
${itsm}`;
const serviceNow = '  provider: servicenow\n  servicenow: { instanceUrl: "http://127.0.0.1:9", username: argus }';
const jira = '  provider: jira\n  jira: { baseUrl: "http://127.0.0.1:9", email: argus@example.com, serviceDeskId: "1", requestTypeId: "2" }';

let h: Harness;
let jiraArgus: RunningArgus;
let spot: ChannelSpot;

function sampleAlert(): Record<string, unknown> {
  const file = resolve(__dirname, '../../detections/windows/process_creation/proc_creation_win_powershell_encoded_command.yml');
  const engine = new DetectionEngine(parseRuleFile(readFileSync(file, 'utf8'), file).rules);
  const event = {
    Event: {
      System: { Provider: { Name: 'Microsoft-Windows-Sysmon' }, EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'FIN-WS-042', EventRecordID: 7 },
      EventData: { Image: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', OriginalFileName: 'PowerShell.EXE', CommandLine: 'powershell.exe -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=' },
    },
  };
  const { flat, matches } = engine.evaluate(event);
  return buildAlert(matches[0]!, { source: 'test', eventIndex: 0, flat }) as unknown as Record<string, unknown>;
}

const routes: Record<string, HostileRoute> = {
  sentinel: {
    path: '/api/webhooks/sentinel', scheme: 'argus', secret: webhookSecret, otherSecret: secrets.playbooks,
    valid: () => sentinelFixture('logic-app-incident-created.json'),
    deepSlots: ['object.properties.relatedEntities.0.properties.x', 'extra'],
    required: { object: 'object', 'object.name': 'string', 'object.properties': 'object', 'object.properties.title': 'string', 'object.properties.severity': 'string', 'object.properties.incidentNumber': 'number', 'object.properties.lastModifiedTimeUtc': 'string' },
    refused: { 'object.properties.severity': ['Critical', 'high'], 'object.properties.status': ['Open'], 'object.properties.incidentNumber': [-1, 1.5], 'object.properties.lastModifiedTimeUtc': ['yesterday'], objectSchemaType: ['Alert'], objectEventType: ['Delete'] },
  },
  servicenow: {
    path: '/api/webhooks/itsm/servicenow', scheme: 'argus', secret: secrets.itsm, otherSecret: webhookSecret,
    valid: () => ({ sys_id: '0123456789abcdef0123456789abcdef', number: 'INC0010001', state: '2', assigned_to: 'Beth Anglin', work_notes: '', correlation_id: '', sys_updated_on: '2026-11-21 09:31:02', sys_mod_count: '3' }),
    deepSlots: ['extra'],
    required: { sys_id: 'string', number: 'string', state: 'string', sys_mod_count: 'string' },
    refused: { sys_id: ['nope', 'A'.repeat(32)], state: ['New', '99999'], sys_mod_count: ['-1', 'three'], number: [''], assigned_to: ['x'.repeat(300)], work_notes: ['w'.repeat(200_001)] },
  },
  jira: {
    path: '/api/webhooks/itsm/jira', scheme: 'hub', secret: secrets.jira, otherSecret: secrets.itsm,
    valid: () => ({ timestamp: 1_795_000_000_000, webhookEvent: 'comment_created', issue: { id: '10001', key: 'SOC-1', fields: { labels: ['argus-x'] } }, comment: { id: '100', body: 'hello', author: { displayName: 'Agent' } } }),
    deepSlots: ['comment.body', 'issue.fields.customfield_10010', 'extra'],
    required: { timestamp: 'number', webhookEvent: 'string', issue: 'object', 'issue.id': 'string|number', 'issue.key': 'string' },
    refused: { timestamp: [0, -5, 1.5], webhookEvent: [''], 'issue.id': ['abc', '1'.repeat(21)], 'issue.key': [''] },
  },
  playbooks: {
    path: '/api/webhooks/playbooks', scheme: 'argus', secret: secrets.playbooks, otherSecret: secrets.alerts,
    valid: () => ({ runId: randomUUID(), status: 'succeeded', message: 'done', output: { ok: true } }),
    deepSlots: ['output', 'extra'],
    required: { status: 'string', runId: 'string' },
    refused: { status: ['exploded', 'SUCCEEDED'], runId: ['not-a-uuid'], message: ['m'.repeat(4001)], playbookId: ['Bad Id!'], incidentId: ['../../etc/passwd'] },
  },
  alerts: {
    path: '/api/webhooks/alerts', scheme: 'argus', secret: secrets.alerts, otherSecret: webhookSecret,
    valid: sampleAlert,
    deepSlots: ['event.CommandLine', 'extra'],
    required: { id: 'string', ruleId: 'string', title: 'string', level: 'string', tags: 'array', detectedAt: 'string', source: 'string', eventIndex: 'number', event: 'object', explanation: 'object' },
    refused: { id: ['ABC', 'g'.repeat(32)], level: ['apocalyptic'], detectedAt: ['yesterday'], eventIndex: [-1, 0.5], ruleId: [''] },
  },
};

async function send(r: Pick<HostileRequest, 'path' | 'headers' | 'body'>, base = h.url): Promise<{ status: number; json?: any; failure?: string }> {
  try {
    const res = await fetch(`${base}${r.path}`, { method: 'POST', headers: r.headers, body: r.body, redirect: 'manual' });
    const text = await res.text();
    try {
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    } catch {
      return { status: res.status, failure: `not JSON: ${text.slice(0, 100)}` };
    }
  } catch (err) {
    return { status: 0, failure: `${(err as Error).message}: ${String((err as { cause?: unknown }).cause ?? '')}` };
  }
}

async function state() {
  const tables: Record<string, number> = {};
  // The clock sweeper's lease row (partition `lease`) comes and goes with the timer, not with requests.
  for (const name of Object.values(tableNames)) if (name !== tableNames.audit) tables[name] = await countEntities(h.table(name), name === tableNames.clocks ? "PartitionKey ne 'lease'" : undefined);
  return { tables, cards: h.connector.calls.length };
}

const prototypes = () => [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join());

/** Every stored event's payload as the JSON text it was stored as. */
async function storedPayloads(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of h.table(tableNames.events).listEntities<Record<string, unknown>>()) {
    const parts = Number(e.payloadParts ?? 0);
    const chunks = Array.from({ length: parts }, (_, i) => Buffer.from(e[`payload${i}`] as Uint8Array));
    if (parts > 0) out.push(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
  }
  return out;
}

describe('hostile webhook bodies get a 4xx error, change nothing and never take the server down', () => {
  before(async () => {
    h = await startHarness({ configYaml: config(serviceNow), env });
    const jiraEnv = { ...h.azurite.env, ...env, LOG_LEVEL: 'debug' };
    const logger = createLogger({ level: 'debug', destination: createMemoryLogStream() });
    jiraArgus = await startArgus(loadConfig(jiraEnv, { fileText: config(jira) }), { env: jiraEnv, logger, port: 0, intake: { sweepIntervalMs: 1_000, maxPollIntervalMs: 100 } });
    spot = { serviceUrl: h.connector.url, conversationId: '19:hostile@thread.tacv2', teamId: '19:hostile@thread.tacv2', tenantId: home };
    // A subscribed channel: anything that got through would show up as a card at the recording connector.
    assert.equal((await h.activity(installActivity(spot, admin))).status, 200);
    await h.activity(messageActivity(spot, admin, 'subscribe High Medium Low Informational'));
    await h.connector.waitFor((c) => c.kind === 'reply');
  });
  after(async () => {
    await jiraArgus?.stop();
    await h?.stop();
  });

  test('hundreds of hostile requests to every webhook route and /api/messages: 4xx with an ARGUS_ code each', async () => {
    const corpus: Array<HostileRequest & { base: string }> = [];
    for (const [name, route] of Object.entries(routes))
      for (const r of hostileRequests(name, route, { bodyLimit })) corpus.push({ ...r, base: name === 'jira' ? jiraArgus.url : h.url });
    const activity = () => ({ ...messageActivity(spot, admin, 'help') }) as Record<string, unknown>;
    const messages: HostileRoute = { path: '/api/messages', scheme: 'none', secret: '', otherSecret: '', valid: activity, deepSlots: ['channelData', 'value'], required: { type: 'string' }, refused: {} };
    // Activities have a limit of their own (teams.maxBodyBytes), 256 KiB by default like bodyLimitBytes here.
    for (const r of hostileRequests('messages', messages, { bodyLimit })) corpus.push({ ...r, base: h.url });
    assert.ok(corpus.length >= 400, `${corpus.length} requests`);

    const before = await state();
    const prototypesBefore = prototypes();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      for (let r = corpus[next++]; r; r = corpus[next++]) {
        const res = await send(r, r.base);
        const code = res.json?.error?.code as string | undefined;
        if (res.failure || res.status < 400 || res.status >= 500 || !/^ARGUS_[A-Z_]+$/.test(code ?? '')) failures.push(`${r.name}: ${res.status} ${code ?? res.failure ?? ''}`);
        else if (r.expect && (res.status !== r.expect.status || code !== r.expect.code)) failures.push(`${r.name}: ${res.status} ${code}, expected ${r.expect.status} ${r.expect.code}`);
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    assert.deepEqual(failures, [], `${failures.length} of ${corpus.length} answered wrongly:\n${failures.slice(0, 40).join('\n')}`);

    for (const base of [h.url, jiraArgus.url]) assert.equal((await fetch(`${base}/healthz`)).status, 200);
    await h.argus.idle();
    await jiraArgus.idle();
    assert.deepEqual(await state(), before, 'no event, incident, ticket, run, alert or card');
    assert.deepEqual(prototypes(), prototypesBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('too deep is refused with a detail that says so; brackets inside strings do not count', async () => {
    const route = routes.playbooks!;
    const post = (payload: string) => send({ path: route.path, headers: { 'content-type': 'application/json', 'x-argus-signature': sign(route, payload) }, body: payload });
    let output = '1';
    for (let i = 0; i < 63; i += 1) output = `[${output}]`;
    const atLimit = await post(JSON.stringify({ runId: randomUUID(), status: 'running', message: '[{'.repeat(1000) + '\\"[' }).replace('"running"', '"running","output":' + output));
    assert.equal(atLimit.status, 202, '64 levels (the body and 63 in output) are accepted');
    const tooDeep = await post(JSON.stringify({ runId: randomUUID(), status: 'running' }).replace('"running"', `"running","output":[${output}]`));
    assert.equal(tooDeep.status, 400);
    assert.equal(tooDeep.json.error.code, 'ARGUS_BAD_PAYLOAD');
    assert.match(tooDeep.json.error.details[0].message, /nest more than 64 levels/);
  });

  test('signed, otherwise valid bodies with prototype-pollution keys are accepted and the keys have no effect', async () => {
    const proto = (extra: string) => `"__proto__":{"polluted":"yes",${extra}},"constructor":{"prototype":{"polluted":"yes"}}`;
    // Sentinel: loose objects; __proto__ is dropped when parsed, constructor stays plain data. The
    // severity smuggled through __proto__ must not replace the incident's own.
    const incident = JSON.stringify(setPath(routes.sentinel!.valid(), 'object.name', 'c0ffee00-0000-4000-8000-00000000beef'))
      .replace('"properties":{', `"properties":{${proto('"severity":"Low","status":"Closed"')},`)
      .replace(/^\{/, `{${proto('"object":null')},`);
    // Playbooks: free-form output; a report for an unknown run changes nothing but is accepted.
    const report = `{${proto('"status":"failed"')},"runId":"${randomUUID()}","status":"succeeded","output":{${proto('"ok":false')},"ok":true}}`;
    const snow = JSON.stringify(routes.servicenow!.valid()).replace(/^\{/, `{${proto('"state":"7"')},`);
    const issue = JSON.stringify(routes.jira!.valid()).replace('"fields":{', `"fields":{${proto('"labels":[]')},`).replace('"body":"hello"', `"body":{"type":"doc",${proto('"text":"x"')},"content":[]}`);
    // Alerts: a strict schema; __proto__ is dropped as if absent (constructor would be an unknown key).
    const alert = JSON.stringify(routes.alerts!.valid()).replace(/^\{/, '{"__proto__":{"level":"low"},');
    const cases: Array<[string, string, string]> = [['sentinel', incident, h.url], ['playbooks', report, h.url], ['servicenow', snow, h.url], ['jira', issue, jiraArgus.url], ['alerts', alert, h.url]];
    const prototypesBefore = prototypes();
    for (const [name, body, base] of cases) {
      const route = routes[name]!;
      const headers = { 'content-type': 'application/json', ...(route.scheme === 'hub' ? { 'x-hub-signature': hubSign(route, body) } : { 'x-argus-signature': sign(route, body) }) };
      const res = await send({ path: route.path, headers, body }, base);
      assert.equal(res.status, 202, `${name}: ${JSON.stringify(res.json)}`);
    }
    await h.argus.idle();
    await jiraArgus.idle();
    assert.deepEqual(prototypes(), prototypesBefore);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    const stored = await storedPayloads();
    assert.ok(stored.length >= 5);
    for (const text of stored) assert.ok(!text.includes('__proto__'), `no __proto__ key is stored: ${text.slice(0, 200)}`);
    const incidents: Array<{ incident: { name: string; severity: string; status: string } }> = [];
    for await (const e of h.table(tableNames.incidents).listEntities<Record<string, unknown>>()) incidents.push(unpackJson(e, 'data'));
    assert.deepEqual(incidents.map((r) => [r.incident.name, r.incident.severity, r.incident.status]), [['c0ffee00-0000-4000-8000-00000000beef', 'High', 'New']]);
    await h.connector.waitFor((c) => c.kind === 'send' && JSON.stringify(h.connector.cardOf(c)).includes('48213'));
  });
});

function sign(route: HostileRoute, body: string): string {
  return signBody(route.secret, body);
}

function hubSign(route: HostileRoute, body: string): string {
  return `sha256=${createHmac('sha256', route.secret).update(body).digest('hex')}`;
}

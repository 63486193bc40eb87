import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { invoke as sendInvoke, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { runCliHere, type CliRun } from '../helpers/run-cli';

const people = testPeople('31000000');
const { responder, reader } = people;
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';
const created = structuredClone(sentinelFixture('logic-app-incident-created.json')) as { object: { properties: Record<string, any> } };
created.object.properties.additionalData.tactics = ['Execution', 'Impact'];
created.object.properties.additionalData.techniques = ['T1486', 'T1059'];

let h: Harness;
let spot: ChannelSpot;
const dir = mkdtempSync(join(tmpdir(), 'argus-timeline-it-'));
const invoke = (verb: string, data: Record<string, unknown>, user = responder) => sendInvoke(h, spot, user, verb, { incidentId: incidentName, ...data });
type Card = { body: Record<string, any>[] };
const section = (card: unknown, id: string) => JSON.stringify((card as Card).body.find((b) => b.id === id) ?? null);

function argus(...args: string[]): Promise<CliRun> {
  return runCliHere(args, { env: h.azurite.env, cwd: dir });
}

describe('incident timeline and impact assessment, through /api/messages and the CLI', () => {
  before(async () => {
    h = await startHarness({ configYaml: `tenantId: ${home}\n${accessYaml(people, 'responder')}\n` });
    spot = await subscribedChannel(h, '19:timeline@thread.tacv2', people.admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    await h.connector.waitFor((c) => c.kind === 'send');
  });

  after(async () => {
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the timeline holds the alerts, the actions and the evidence in order, with tactic and technique; a reader sees the ATT&CK chain', async () => {
    await invoke('incident.acknowledge', {});
    writeFileSync(join(dir, 'ransom-note.txt'), 'YOUR FILES ARE ENCRYPTED');
    const added = await argus('evidence', 'add', '--incident', '48213', '--file', join(dir, 'ransom-note.txt'), '--custodian', 'Rui Responder', '--purpose', 'strain identification', '--json');
    assert.equal(added.code, 0);

    const listed = await argus('incident', 'timeline', '48213', '--json');
    assert.equal(listed.code, 0);
    const entries = JSON.parse(listed.out) as Array<Record<string, string>>;
    const at = entries.map((e) => Date.parse(e.at ?? ''));
    assert.deepEqual(at, [...at].sort((a, b) => a - b), 'in time order');
    const kinds = entries.map((e) => e.kind).filter((k) => k !== 'entity');
    assert.deepEqual(kinds.slice(0, 2), ['alert', 'alert'], 'first and last activity of the alerts come first');
    const [ack, evidence] = [kinds.indexOf('action'), kinds.indexOf('evidence')];
    assert.ok(ack > 1 && evidence > ack, kinds.join(','));
    assert.deepEqual(entries[0], {
      at: '2026-11-21T08:59:12.114Z',
      kind: 'alert',
      title: `Alert: ${String(created.object.properties.title)} (Azure Sentinel, Microsoft Defender for Endpoint)`,
      tactic: 'Impact',
      technique: 'T1486',
      techniqueName: 'Data Encrypted for Impact',
    });
    assert.ok(entries.some((e) => e.kind === 'action' && e.title === 'Acknowledged' && e.actor === responder.name));
    assert.ok(entries.some((e) => e.kind === 'evidence' && e.title === 'Evidence registered: ransom-note.txt'));
    assert.match((await argus('incident', 'timeline', '48213', '--md')).out, /\| alert \| Alert: .* \| {2}\| Impact \| T1486 Data Encrypted for Impact \|/);

    const res = await invoke('incident.timeline', {}, reader);
    const timeline = section(res.value, 'section-timeline');
    // The incident's own tactics and its alerts' (the trigger lists Command and Control too).
    assert.match(timeline, /ATT&CK chain · 3 tactic\(s\)/);
    const order = ['"Execution"', '"Command and Control"', '"Impact"'].map((t) => timeline.indexOf(t));
    assert.deepEqual(order, [...order].sort((x, y) => x - y), 'kill-chain order');
    assert.match(timeline, /T1059 Command and Scripting Interpreter/);
    assert.match(timeline, /Evidence registered: ransom-note\.txt/);
  });

  test('the impact form: a bad answer is refused and changes nothing; a good one derives the level and suggests a severity, offers the clocks', async () => {
    const refused = await invoke('incident.impact', { financial: 'lots', operational: 'none', reputational: 'none' });
    assert.match(section(refused.value, 'section-notice'), /Impact not saved: financial/);
    assert.equal(JSON.parse((await argus('incident', 'show', '48213', '--json')).out).impact, undefined);
    const denied = await invoke('incident.impact', { financial: 'none', operational: 'none', reputational: 'none' }, reader);
    assert.doesNotMatch(JSON.stringify(denied.value), /Impact none/);

    const res = await invoke('incident.impact', { financial: '100k-1m', operational: 'minor', reputational: 'low', regimes: 'gdpr,pci', affectedAssets: '3', affectedUsers: '15', downtimeMinutes: '' });
    assert.match(section(res.value, 'section-notice'), /Impact high: matches severity High/);
    const impact = section(res.value, 'section-impact');
    assert.match(impact, /💥 Impact · high · suggests severity High/);
    assert.match(impact, /financial 100k-1m → 3 \(high\)/);
    assert.match(impact, /"verb":"incident.regulation","associatedInputs":"none","data":\{"incidentId":"[^"]+","regime":"gdpr"\}/);
    const shown = JSON.parse((await argus('incident', 'show', '48213', '--json')).out) as { impact: Record<string, unknown> };
    assert.deepEqual([shown.impact.level, shown.impact.suggestedSeverity, shown.impact.regimes], ['high', 'High', ['gdpr', 'pci']]);
  });
});

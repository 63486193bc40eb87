import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { verifyAuditChain } from '../../src/audit/verify-chain';
import { signBody, signatureHeader } from '../../src/security/signature';
import { createQueueFactory, queueNames } from '../../src/storage/queues';
import { tableNames } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { freePort, spawnArgus, type ArgusProcess } from '../helpers/argus-process';
import { startFakeBotConnector, testUser, type FakeBotConnector } from '../helpers/fake-bot-connector';
import { pool, stormIncident, versionOnCard } from '../helpers/storm';
import { installActivity } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const secret = 'faults-secret';
const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const channel = '19:faults@thread.tacv2';
/** Crash-test incidents go to these channels by a `lane-<k>` label: Teams' limits are per channel. */
const lanes = Array.from({ length: 6 }, (_, k) => `19:faults-lane-${k}@thread.tacv2`);

let azurite: TestAzurite;
let connector: FakeBotConnector;
let dir: string;

function update(i: number, v: number, prefix: string, label = 'faults') {
  const u = stormIncident(i, v);
  u.name = `${u.name.slice(0, 24)}${prefix}${u.name.slice(24 + prefix.length)}`;
  u.properties.title = `${prefix} incident ${i}`;
  u.properties.labels = [{ labelName: label, labelType: 'User' }, { labelName: `v${v}`, labelType: 'User' }];
  return u;
}

/** The version each incident's card shows now: the card content the connector last received for it. */
function shownVersions(prefix: string): Map<number, number> {
  const shown = new Map<number, number>();
  for (const c of connector.calls) {
    if (c.kind === 'reply') continue;
    const card = connector.cardOf(c);
    const m = new RegExp(`${prefix} incident (\\d+)\\b`).exec(JSON.stringify(card ?? {}));
    const version = versionOnCard(card);
    if (m && version !== undefined) shown.set(Number(m[1]), version);
  }
  return shown;
}

/** Waits until every incident's card shows at least the version `want` names; returns what is wrong at the deadline. */
async function showing(prefix: string, want: Map<number, number>, timeoutMs: number): Promise<string[]> {
  const behind = () => {
    const shown = shownVersions(prefix);
    return [...want].filter(([i, v]) => (shown.get(i) ?? -1) < v).map(([i, v]) => `incident ${i}: v${v} acknowledged, card shows ${shown.has(i) ? `v${shown.get(i)}` : 'nothing'}`);
  };
  return waitFor(behind, { what: `every ${prefix} card at its version`, timeoutMs, intervalMs: 200, until: (b) => b.length === 0 }).catch(() => behind());
}

async function post(url: string, payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  try {
    const res = await fetch(`${url}/api/webhooks/sentinel`, { method: 'POST', body, headers: { 'content-type': 'application/json', [signatureHeader]: signBody(secret, body) } });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0; // connection refused or reset: not acknowledged, the sender retries
  }
}

/** Waits until every incident's latest card shows `v<last>`; returns the number of cards posted per incident. */
async function converged(prefix: string, incidents: number, last: number, timeoutMs = 60_000): Promise<Map<number, number>> {
  const look = () => {
    const latest = new Map<number, string>();
    const posts = new Map<number, number>();
    for (const c of connector.calls) {
      if (c.kind === 'reply') continue;
      const text = JSON.stringify(c.activity);
      const m = new RegExp(`${prefix} incident (\\d+)`).exec(text);
      if (!m) continue;
      latest.set(Number(m[1]), text);
      if (c.kind === 'send') posts.set(Number(m[1]), (posts.get(Number(m[1])) ?? 0) + 1);
    }
    const done = latest.size === incidents && [...latest.values()].every((t) => new RegExp(`\\bv${last}\\b`).test(t));
    const versions = [...latest.entries()].map(([k, t]) => `${k}:${/v\d+/.exec(t.replace(/Storm|E2E/g, ''))?.[0]}`).join(' ');
    return { done, versions, posts };
  };
  return (await waitFor(look, { what: `every ${prefix} card converged on v${last}`, timeoutMs, intervalMs: 200, until: (s) => s.done })).posts;
}

async function install(url: string, conversationId = channel): Promise<void> {
  const spot = { serviceUrl: connector.url, conversationId, teamId: conversationId, tenantId: home };
  await fetch(`${url}/api/messages`, { method: 'POST', body: JSON.stringify(installActivity(spot, admin)), headers: { 'content-type': 'application/json' } });
}

function env(port: number): Record<string, string> {
  return {
    ...azurite.env,
    PORT: String(port),
    ARGUS_CONFIG: join(dir, 'argus.config.yaml'),
    ARGUS_DATA_DIR: join(dir, 'data'),
    ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: secret,
  };
}

describe('faults: crashes and competing instances lose nothing and post each card once', () => {
  before(async () => {
    azurite = await startAzurite();
    connector = await startFakeBotConnector({ enforceLimits: true });
    dir = mkdtempSync(join(tmpdir(), 'argus-faults-'));
    const laneRules = lanes.map((lane, k) => `    - { match: { labels: [lane-${k}] }, conversationId: "${lane}" }\n`).join('');
    writeFileSync(
      join(dir, 'argus.config.yaml'),
      `tenantId: ${home}\nintake: { visibilityTimeoutSeconds: 4 }\nrouting:\n  rules:\n    - { match: { labels: [faults] }, conversationId: "${channel}" }\n${laneRules}`,
    );
  });
  after(async () => {
    await connector.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('kill -9 in the middle of a storm, then restart: every acknowledged version reaches its card', async () => {
    const port = freePort();
    let argus: ArgusProcess = await spawnArgus(env(port), dir);
    for (const lane of lanes) await install(argus.url, lane);
    // Each incident's versions go in order, three cohorts a third of the storm apart; the kill
    // comes as the first cohort's final versions are acknowledged, the others half-way through.
    const incidents = 18;
    const versions = 15;
    const keyOf = (i: number, v: number) => v + (i % 3) * Math.round(versions / 3);
    const order: Array<{ i: number; v: number }> = [];
    for (let v = 0; v < versions; v += 1) for (let i = 0; i < incidents; i += 1) order.push({ i, v });
    order.sort((x, y) => keyOf(x.i, x.v) - keyOf(y.i, y.v) || x.i - y.i);
    const updates = order.map(({ i, v }) => ({ i, v, body: update(i, v, 'Crash', `lane-${i % lanes.length}`) }));
    const killAt = order.filter(({ i, v }) => keyOf(i, v) <= versions - 1).length;
    const acked = new Set<number>();
    await pool(
      updates.map((u, k) => ({ ...u, k })),
      16,
      async ({ body, k }) => {
        if (acked.size >= killAt) return;
        if ((await post(argus.url, body)) !== 202) return;
        acked.add(k);
        // Killed the moment the sender holds the acknowledgement: nothing after it may be needed.
        if (acked.size === killAt) argus.child.kill('SIGKILL');
      },
    );
    await argus.exited;
    const highest = new Map<number, number>();
    for (const k of acked) highest.set(updates[k]!.i, Math.max(highest.get(updates[k]!.i) ?? -1, updates[k]!.v));
    const finals = [...highest].filter(([, v]) => v === versions - 1).length;
    assert.ok(finals > 0 && finals < incidents, `some incidents had their final version acknowledged before the kill (${finals})`);
    // Meanwhile another event waits for its retry, as in any busy SOC: the queue is never empty, and
    // recovering what was acknowledged must not wait for it to be.
    const queue = createQueueFactory({ kind: 'connectionString', connectionString: azurite.connectionString }).queue(queueNames.events);
    const retry = Buffer.from(JSON.stringify([['sentinel-0', 'waiting-for-its-retry']])).toString('base64');
    const waiting = await queue.sendMessage(retry, { visibilityTimeout: 600 });
    argus = await spawnArgus(env(port), dir);
    try {
      const behind = await showing('Crash', highest, 40_000);
      assert.deepEqual(behind, [], 'every incident card shows at least its highest acknowledged version (the final one where it was acknowledged)');
      // The sender retries what was not acknowledged (a redelivery of something stored is a duplicate).
      const statuses: number[] = [];
      await pool(
        updates.filter((_, k) => !acked.has(k)),
        8,
        async (u) => void statuses.push(await post(argus.url, u.body)),
      );
      assert.ok(statuses.every((s) => s === 200 || s === 202), `every retry was accepted: ${statuses.join(' ')}`);
      const final = new Map(Array.from({ length: incidents }, (_, i) => [i, versions - 1] as const));
      assert.deepEqual(await showing('Crash', final, 40_000), [], 'and after the retries every card shows the final version');
      const posts = connector.calls.filter((c) => c.kind === 'send' && /Crash incident \d+\b/.test(JSON.stringify(c.activity))).length;
      // A channel gets one post at a time: a kill between a post and its record costs at most one duplicate per channel.
      assert.ok(posts <= incidents + lanes.length, `one card per incident, bar a duplicate per channel: ${posts}`);
      const events = TableClient.fromConnectionString(azurite.connectionString, tableNames.events, { allowInsecureConnection: true });
      // Events the killed instance had taken come back when their visibility timeout (4 s here) ends.
      const countNotDone = async () => {
        let n = 0;
        for await (const _ of events.listEntities({ queryOptions: { filter: `status ne 'done'` } })) n += 1;
        return n;
      };
      const notDone = await waitFor(countNotDone, { what: 'every stored event processed', timeoutMs: 20_000, intervalMs: 200, until: (n) => n === 0 });
      assert.equal(notDone, 0, 'every stored event was processed');
      const audit = TableClient.fromConnectionString(azurite.connectionString, tableNames.audit, { allowInsecureConnection: true });
      const firstAccepts = new Map<string, number>();
      for await (const e of audit.listEntities<Record<string, unknown>>({ queryOptions: { filter: `action eq 'webhook.received'` } })) {
        const d = JSON.parse(String(e.detail)) as { eventId?: string; duplicate?: boolean };
        if (d.eventId && d.duplicate === false) firstAccepts.set(d.eventId, (firstAccepts.get(d.eventId) ?? 0) + 1);
      }
      assert.ok([...firstAccepts.values()].every((n) => n === 1), 'no event was audited as newly accepted twice');
      const verdict = await verifyAuditChain(audit);
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
    } finally {
      await queue.deleteMessage(waiting.messageId, waiting.popReceipt).catch(() => undefined);
      await argus.stop();
    }
  });

  test('two instances on one storage account: one card per incident, one unforked audit chain', async () => {
    // Both start at once; if one does not come up, the other is stopped before the failure is reported.
    const started = await Promise.allSettled([spawnArgus(env(freePort()), dir), spawnArgus(env(freePort()), dir)]);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
      throw failed.reason;
    }
    const [a, b] = started.map((s) => (s as PromiseFulfilledResult<ArgusProcess>).value) as [ArgusProcess, ArgusProcess];
    try {
      await install(a.url);
      const incidents = 6;
      const versions = 10;
      const updates = [];
      for (let v = 0; v < versions; v += 1) for (let i = 0; i < incidents; i += 1) updates.push(update(i, v, 'Twin'));
      await pool(
        updates.map((u, k) => ({ u, k })),
        8,
        async ({ u, k }) => assert.ok([200, 202].includes(await post(k % 2 ? a.url : b.url, u))),
      );
      const posts = await converged('Twin', incidents, versions - 1);
      assert.deepEqual([...posts.values()], Array.from({ length: incidents }, () => 1), 'exactly one card per incident');
      assert.equal(connector.throttled, 0, 'the two instances never pushed a conversation over Teams limits');
      const audit = TableClient.fromConnectionString(azurite.connectionString, tableNames.audit, { allowInsecureConnection: true });
      const verdict = await verifyAuditChain(audit);
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

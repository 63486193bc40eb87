import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { verifyAuditChain } from '../../src/audit/verify-chain';
import { signBody, signatureHeader } from '../../src/ingress/signature';
import { tableNames } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { freePort, spawnArgus, type ArgusProcess } from '../helpers/argus-process';
import { startFakeBotConnector, testUser, type FakeBotConnector } from '../helpers/fake-bot-connector';
import { pool, stormIncident } from '../helpers/storm';
import { installActivity } from '../helpers/teams-activities';

const secret = 'faults-secret';
const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const channel = '19:faults@thread.tacv2';

let azurite: TestAzurite;
let connector: FakeBotConnector;
let dir: string;

function update(i: number, v: number, prefix: string) {
  const u = stormIncident(i, v);
  u.name = `${u.name.slice(0, 24)}${prefix}${u.name.slice(24 + prefix.length)}`;
  u.properties.title = `${prefix} incident ${i}`;
  u.properties.labels = [{ labelName: 'faults', labelType: 'User' }, { labelName: `v${v}`, labelType: 'User' }];
  return u;
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
  const deadline = Date.now() + timeoutMs;
  for (;;) {
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
    if (latest.size === incidents && [...latest.values()].every((t) => new RegExp(`\\bv${last}\\b`).test(t))) return posts;
    if (Date.now() > deadline) throw new Error(`not converged: ${[...latest.entries()].map(([k, t]) => `${k}:${/v\d+/.exec(t.replace(/Storm|E2E/g, ''))?.[0]}`).join(' ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function install(url: string): Promise<void> {
  const spot = { serviceUrl: connector.url, conversationId: channel, teamId: channel, tenantId: home };
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
    writeFileSync(join(dir, 'argus.config.yaml'), `tenantId: ${home}\nintake: { visibilityTimeoutSeconds: 4 }\nrouting:\n  rules:\n    - { match: { labels: [faults] }, conversationId: "${channel}" }\n`);
  });
  after(async () => {
    await connector.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('kill -9 in the middle of a storm, then restart: every acknowledged event takes effect', async () => {
    const port = freePort();
    let argus: ArgusProcess = await spawnArgus(env(port), dir);
    await install(argus.url);
    const incidents = 6;
    const versions = 12;
    const updates = [];
    for (let v = 0; v < versions; v += 1) for (let i = 0; i < incidents; i += 1) updates.push(update(i, v, 'Crash'));
    const acked = new Set<number>();
    let sent = 0;
    const killer = (async () => {
      while (sent < updates.length / 2) await new Promise((r) => setTimeout(r, 5));
      argus.child.kill('SIGKILL');
    })();
    await pool(
      updates.map((u, k) => ({ u, k })),
      8,
      async ({ u, k }) => {
        sent += 1;
        if ((await post(argus.url, u)) === 202) acked.add(k);
      },
    );
    await killer;
    await argus.exited;
    assert.ok(acked.size > 0 && acked.size < updates.length, `some were acknowledged before the kill (${acked.size}/${updates.length})`);
    argus = await spawnArgus(env(port), dir);
    try {
      // The sender retries what was not acknowledged (a redelivery of an acknowledged one is a duplicate).
      for (const [k, u] of updates.entries()) if (!acked.has(k)) assert.ok([200, 202].includes(await post(argus.url, u)));
      const posts = await converged('Crash', incidents, versions - 1);
      const total = [...posts.values()].reduce((a, b) => a + b, 0);
      assert.ok(total <= incidents + 1, `one card per incident (one duplicate allowed for a kill between post and record): ${total}`);
      const events = TableClient.fromConnectionString(azurite.connectionString, tableNames.events, { allowInsecureConnection: true });
      // Events the killed instance had taken come back when their visibility timeout (4 s here) ends.
      let notDone = -1;
      for (let i = 0; i < 100 && notDone !== 0; i += 1) {
        if (i) await new Promise((r) => setTimeout(r, 200));
        notDone = 0;
        for await (const _ of events.listEntities({ queryOptions: { filter: `status ne 'done'` } })) notDone += 1;
      }
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
      await argus.stop();
    }
  });

  test('two instances on one storage account: one card per incident, one unforked audit chain', async () => {
    const a = await spawnArgus(env(freePort()), dir);
    const b = await spawnArgus(env(freePort()), dir);
    try {
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

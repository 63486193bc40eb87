import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { testUser } from '../helpers/fake-bot-connector';
import { maxCallsInWindow, pool, stormIncident } from '../helpers/storm';
import type { ChannelSpot } from '../helpers/teams-activities';

const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const admin = testUser('Ada Admin', '10000000-0000-4000-8000-000000000001', home);
const incidents = 8;
const versions = 12;
let h: Harness;
let spot: ChannelSpot;

function finalCardOf(name: string): string | undefined {
  const cards = h.connector.calls.filter((c) => c.kind !== 'reply' && JSON.stringify(c.activity).includes(`Storm incident ${Number(name.slice(-12))}"`));
  const last = cards.at(-1);
  return last ? JSON.stringify(last.activity) : undefined;
}

describe('an alert storm: every card converges, nothing is lost, Teams limits hold', () => {
  before(async () => {
    h = await startHarness({ configYaml: `tenantId: ${home}\naccess: { roles: { admin: { users: [${admin.aadObjectId}] } } }\n` });
    spot = await subscribedChannel(h, '19:storm@thread.tacv2', admin, home);
  });
  after(() => h.stop());

  test(`${incidents * versions} updates over ${incidents} incidents, shuffled, with the connector throttling for a while`, async () => {
    const updates = [];
    for (let v = 0; v < versions; v += 1) for (let i = 0; i < incidents; i += 1) updates.push(stormIncident(i, v));
    updates.sort(() => Math.random() - 0.5);
    h.connector.failNext(3, 429, 1);
    const statuses: number[] = [];
    await pool(updates, 16, async (u) => {
      statuses.push((await h.signedPost('/api/webhooks/sentinel', u)).status);
    });
    assert.ok(statuses.every((s) => s === 202 || s === 200), `all accepted: ${[...new Set(statuses)].join(',')}`);
    h.connector.failNext(2, 503);
    const t0 = Date.now();
    await h.argus.idle(60_000);
    console.log(`converged ${Date.now() - t0} ms after the last webhook; ${h.connector.calls.length} connector calls`);

    const posts = h.connector.calls.filter((c) => c.kind === 'send' && JSON.stringify(c.activity).includes('Storm incident'));
    if (posts.length !== incidents) {
      for await (const e of h.table('ArgusCards').listEntities()) console.log(JSON.stringify(e));
      console.log(h.logs.lines.filter((l) => Number(l.level) >= 40).map((l) => JSON.stringify(l).slice(0, 400)).join('\n'));
    }
    assert.equal(posts.length, incidents, 'one card per incident');
    for (let i = 0; i < incidents; i += 1) {
      const name = stormIncident(i, 0).name;
      assert.match(finalCardOf(name) ?? '', new RegExp(`"v${versions - 1}"|v${versions - 1}\\b`), `incident ${i} shows its final version`);
    }
    const cardCalls = h.connector.calls.filter((c) => c.conversationId.startsWith(spot.conversationId));
    assert.ok(maxCallsInWindow(cardCalls, 1_000) <= 7, `≤ 7 per second (saw ${maxCallsInWindow(cardCalls, 1_000)})`);
    assert.ok(maxCallsInWindow(cardCalls, 2_000) <= 8, '≤ 8 per 2 seconds');
    assert.ok(maxCallsInWindow(cardCalls, 30_000) <= 60, '≤ 60 per 30 seconds');
    const updatesSent = h.connector.calls.filter((c) => c.kind === 'update').length;
    assert.ok(updatesSent < incidents * versions / 2, `updates coalesce (${updatesSent} for ${incidents * versions} changes)`);
  });
});

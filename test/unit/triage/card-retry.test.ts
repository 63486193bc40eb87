import assert from 'node:assert/strict';
import { test } from 'node:test';
import { triageSchema } from '../../../src/config/triage-schema';
import { TableDetectionOutcomeStore } from '../../../src/detections/outcomes/table-outcome-store';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { TeamsMessage } from '../../../src/teams/teams-delivery';
import { cardRetryDelayMs, retryOwedCards, TableCardRetries } from '../../../src/triage/card-retry';
import type { IntelPort } from '../../../src/triage/intel-port';
import { createTriageService } from '../../../src/triage/triage-service';
import { TableTriageStore } from '../../../src/triage/triage-store';
import { mixed, reviewConversation, socChannel, testAlert } from './triage-setup';

const logger = createLogger({ level: 'silent' });

/** Triage whose first lookups wait for quota, over a Teams that can be down, on a clock the test moves. */
function retryRig() {
  const clock = { now: new Date('2026-03-02T10:00:00Z') };
  const now = () => clock.now;
  let asked = 0;
  const intel: IntelPort = {
    async enrich(indicators) {
      asked += 1;
      const waiting = asked === 1 ? indicators.map((indicator) => ({ indicator, source: 'virustotal' as const, until: '2026-03-02T10:01:00.000Z' })) : [];
      return { results: indicators.map((indicator) => ({ indicator, sources: mixed })), waiting, missing: [] };
    },
  };
  const teams = { down: false, tries: 0 };
  const posts: Array<{ conversationId: string; message: TeamsMessage }> = [];
  const delivery = {
    async post(conversationId: string, message: TeamsMessage) {
      teams.tries += 1;
      if (teams.down) throw new Error('teams answered 502 after 4 attempt(s)');
      posts.push({ conversationId, message });
      return `activity-${posts.length}`;
    },
  };
  const alerts = memoryEntityTable();
  const store = new TableTriageStore(alerts);
  const retries = new TableCardRetries(alerts);
  const instance = () =>
    createTriageService({
      triage: triageSchema.parse({ conversationId: reviewConversation }),
      routing: { default: socChannel, rules: [] },
      enrichment: { intel, weights: { virustotal: 1, abuseipdb: 0.8 }, configured: ['virustotal', 'abuseipdb'] },
      store,
      outcomes: new TableDetectionOutcomeStore(memoryEntityTable()),
      delivery,
      logger,
      cardRetries: retries,
      now,
    });
  const service = instance();
  const retry = (s = service) => retryOwedCards({ service: s, store, retries, log: logger, now });
  return { clock, teams, posts, store, retries, service, instance, retry };
}

const at = (iso: string) => new Date(iso);

test('a review card whose post fails after a pending-intel sweep decides the alert is posted later: nothing lost', async () => {
  const rig = retryRig();
  const alert = testAlert();
  assert.equal((await rig.service.decide(alert)).status, 'pending-intel');

  rig.teams.down = true;
  rig.clock.now = at('2026-03-02T10:01:00Z');
  await rig.service.sweep();
  const decided = (await rig.store.get(alert.id))?.record;
  assert.deepEqual([decided?.status, decided?.decision, decided?.card], ['decided', 'review', undefined], 'decided; the card is owed');
  assert.equal(rig.teams.tries, 1);
  assert.deepEqual((await rig.retries.due(at('2026-03-02T10:01:30Z'))).map((d) => [d.alertId, d.attempts]), [[alert.id, 1]]);

  rig.clock.now = at('2026-03-02T10:01:20Z');
  await rig.retry();
  assert.equal(rig.teams.tries, 1, 'not due yet');

  rig.clock.now = at('2026-03-02T10:01:30Z');
  await rig.retry();
  assert.equal(rig.teams.tries, 2, 'tried again, Teams still down');
  assert.deepEqual(await rig.retries.due(at('2026-03-02T10:02:29Z')), [], 'backing off: 60 s after the second failure');

  rig.teams.down = false;
  rig.clock.now = at('2026-03-02T10:02:30Z');
  await rig.retry();
  assert.deepEqual(rig.posts.map((p) => p.conversationId), [reviewConversation]);
  assert.deepEqual((await rig.store.get(alert.id))?.record.card, { conversationId: reviewConversation, activityId: 'activity-1' });
  assert.deepEqual(await rig.retries.due(at('2026-03-03T00:00:00Z')), [], 'the row is gone');

  await rig.retry();
  await rig.service.sweep();
  await rig.service.decide(alert);
  assert.equal(rig.posts.length, 1, 'posted once');
});

test('a card that fails on arrival is owed too; two instances retrying post it once', async () => {
  const rig = retryRig();
  rig.clock.now = at('2026-03-02T10:05:00Z');
  await rig.service.decide(testAlert()); // the first lookups wait
  rig.teams.down = true;
  const alert = testAlert();
  const record = await rig.service.decide(alert);
  assert.deepEqual([record.status, record.decision, record.card], ['decided', 'review', undefined], 'the event is done; the card follows');

  rig.teams.down = false;
  rig.clock.now = new Date(rig.clock.now.getTime() + cardRetryDelayMs(1));
  await Promise.all([rig.retry(), rig.retry(rig.instance())]);
  assert.equal(rig.posts.length, 1);
  assert.equal((await rig.store.get(alert.id))?.record.card?.activityId, 'activity-1');
});

test('the backoff doubles from 30 s up to 15 min', () => {
  assert.deepEqual([1, 2, 3, 6, 20].map(cardRetryDelayMs), [30_000, 60_000, 120_000, 900_000, 900_000]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEntry } from '../../../src/audit/audit-log';
import { ArgusError } from '../../../src/errors/catalog';
import type { ArgusEvent } from '../../../src/events/event-map';
import { createLogger } from '../../../src/logging/logger';
import type { QueryOutcome } from '../../../src/queries/log-analytics-client';
import { runQuery } from '../../../src/queries/query-runner';
import type { QueryRunPayload } from '../../../src/queries/query-run';

const payload: QueryRunPayload = {
  source: 'catalog',
  queryId: 'host-process-events',
  title: 'Process events on FIN-WS-042, last 24 h',
  incidentName: 'inc-1',
  incidentNumber: 48213,
  entity: { id: 'e-host-1', kind: 'Host', name: 'FIN-WS-042' },
  parameters: { host: 'FIN-WS-042' },
  query: 'let host = "FIN-WS-042";\nDeviceProcessEvents\n| take 3',
  timespan: 'P1D',
  maxRows: 2,
  actor: { aadObjectId: 'a1', name: 'Rui Responder', tenantId: 't1' },
  role: 'responder',
  replyTo: { conversationId: '19:soc@thread.tacv2', parentActivityId: 'card-1' },
};
const event = { id: 'e1', name: 'query.run.requested', idempotencyKey: 'k', source: 'teams', receivedAt: '', correlationId: 'corr-1', payload } as ArgusEvent<'query.run.requested'>;

function setup(outcome: QueryOutcome, deliver: () => Promise<string> = async () => 'reply-1') {
  const audits: AuditEntry[] = [];
  const sent: Array<{ kind: string; args: unknown[] }> = [];
  const queries: string[] = [];
  const deps = {
    client: { query: async (r: { query: string }) => (queries.push(r.query), outcome) },
    delivery: {
      post: async (...args: unknown[]) => (sent.push({ kind: 'post', args }), deliver()),
      reply: async (...args: unknown[]) => (sent.push({ kind: 'reply', args }), deliver()),
    },
    audit: { append: async (e: AuditEntry) => (audits.push(e), e as never) },
    logger: createLogger({ level: 'silent' }),
  };
  return { deps, audits, sent, queries };
}

const rows = (n: number) => ({ name: 'PrimaryResult', columns: [{ name: 'FileName', type: 'string' }], rows: Array.from({ length: n }, (_, i) => [`f${i}`]) });

test('the answer goes to the card’s thread and the run is audited with who, which query, parameters and row count', async () => {
  const s = setup({ kind: 'ok', table: rows(3) });
  await runQuery(s.deps, event);
  assert.deepEqual(s.queries, [payload.query]);
  assert.equal(s.sent.length, 1);
  assert.equal(s.sent[0]!.kind, 'reply');
  assert.deepEqual(s.sent[0]!.args.slice(0, 2), ['19:soc@thread.tacv2', 'card-1']);
  const [audit] = s.audits;
  assert.equal(audit?.action, 'query.run');
  assert.equal(audit?.outcome, 'succeeded');
  assert.equal(audit?.actorName, 'Rui Responder');
  assert.deepEqual(audit?.roles, ['responder']);
  assert.deepEqual(
    { ...audit?.detail, durationMs: 0 },
    { queryId: 'host-process-events', incidentNumber: 48213, entity: { kind: 'Host', name: 'FIN-WS-042' }, parameters: { host: 'FIN-WS-042' }, timespan: 'P1D', rowCount: 2, truncated: true, durationMs: 0, delivered: true },
  );
});

test('throttling is shown and audited as failed; the event is done (no retry behind the person’s back)', async () => {
  const s = setup({ kind: 'throttled', status: 429, retryAfterSeconds: 30, problem: { code: 'ThrottledError', message: 'slow down' } });
  await runQuery(s.deps, { ...event, payload: { ...payload, replyTo: { conversationId: 'a:chat' } } });
  assert.equal(s.sent[0]!.kind, 'post');
  assert.match(JSON.stringify(s.sent[0]!.args[1]), /try again in 30 s/);
  assert.equal(s.audits[0]!.outcome, 'failed');
  assert.equal(s.audits[0]!.detail?.retryAfterSeconds, 30);
});

test('a Teams outage fails the event so it is retried; a conversation Argus left is given up, both audited', async () => {
  const down = setup({ kind: 'ok', table: rows(1) }, async () => Promise.reject(new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', 'Teams is down')));
  await assert.rejects(runQuery(down.deps, event), /Teams is down/);
  assert.deepEqual([down.audits[0]!.outcome, down.audits[0]!.detail?.delivered], ['failed', false]);
  const gone = setup({ kind: 'ok', table: rows(1) }, async () => Promise.reject(new ArgusError('ARGUS_NOT_FOUND', 'not installed')));
  await runQuery(gone.deps, event);
  assert.equal(gone.audits[0]!.detail?.delivered, false);
});

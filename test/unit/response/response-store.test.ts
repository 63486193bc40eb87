import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TableResponseStore, stepsOf, tablePostMortemStatus } from '../../../src/response/response-store';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { shippedPlans } from './response-fixtures';

const plan = shippedPlans.get('phishing')!;

test('phase, plan and steps are made together once, round-trip; a stale etag changes nothing', async () => {
  const table = memoryEntityTable();
  const store = new TableResponseStore(table);
  const id = 'inc/with#odd?chars';
  assert.deepEqual(await store.load(id), { steps: [] });
  assert.equal(await store.loadPhase(id), undefined);
  const steps = stepsOf(plan.id, plan.steps);
  const detection = { phase: 'detection' as const, since: '2026-01-01T00:00:00.000Z', history: [{ phase: 'detection' as const, at: '2026-01-01T00:00:00.000Z' }] };
  assert.equal(await store.create(id, detection, { plan: { planId: plan.id, title: plan.title, assignedAt: '2026-01-01T00:00:00.000Z' }, steps }), true);
  // A second maker (another instance, a card render) changes nothing: neither the phase nor the plan.
  assert.equal(await store.create(id, { phase: 'investigation', since: 'x', history: [] }, { plan: { planId: 'general-incident', title: 'General', assignedAt: 'x' }, steps: [] }), false);
  assert.equal(await store.create(id, { phase: 'investigation', since: 'x', history: [] }), false);
  assert.equal((await store.loadPhase(id))?.phase, 'detection');
  // Rows of other parts of the response module share the partition and are left alone.
  await table.upsert({ partitionKey: 'inc%2Fwith%23odd%3Fchars', rowKey: 'impact', level: 'high' }, 'merge');

  const state = await store.load(id);
  assert.equal(state.phase?.phase, 'detection');
  assert.equal(state.plan?.planId, 'phishing');
  assert.deepEqual(state.steps.map((s) => s.id), plan.steps.map((s) => s.id));
  const analyse = state.steps.find((s) => s.id === 'analyse-message')!;
  assert.deepEqual([analyse.type, analyse.requiresEvidence, analyse.status, analyse.evidence, analyse.runIds], ['manual', true, 'pending', [], []]);
  const purge = state.steps.find((s) => s.id === 'purge-message')!;
  assert.equal(purge.requiredRole, 'admin');

  const { etag, ...step } = analyse;
  const saved = await store.saveStep(id, { ...step, status: 'done', by: 'Ana', evidence: ['ev-1'], durationMs: 5 }, etag);
  assert.ok(saved);
  assert.equal(await store.saveStep(id, { ...step, status: 'skipped' }, etag), undefined, 'stale etag');
  const after = (await store.load(id)).steps.find((s) => s.id === 'analyse-message')!;
  assert.deepEqual([after.status, after.by, after.evidence, after.durationMs], ['done', 'Ana', ['ev-1'], 5]);
  const phase = (await store.load(id)).phase!;
  assert.ok(await store.savePhase(id, { phase: 'investigation', since: 'y', history: [...phase.history, { phase: 'investigation', at: 'y', by: 'Ana' }] }, phase.etag));
  assert.equal(await store.savePhase(id, { phase: 'containment', since: 'z', history: [] }, phase.etag), undefined);
  assert.equal((await store.load(id)).phase?.history.length, 2);
});

test('the post-mortem port reads the incident\'s postmortem row: only completed counts', async () => {
  const table = memoryEntityTable();
  const status = tablePostMortemStatus(table);
  assert.equal(await status.completed('i1'), false);
  await table.upsert({ partitionKey: 'i1', rowKey: 'postmortem', status: 'draft' }, 'merge');
  assert.equal(await status.completed('i1'), false);
  await table.upsert({ partitionKey: 'i1', rowKey: 'postmortem', status: 'completed' }, 'merge');
  assert.equal(await status.completed('i1'), true);
});

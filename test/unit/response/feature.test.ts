import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { incidentSummary } from '../../../src/cli/incident-command';
import { isArgusError } from '../../../src/errors/catalog';
import { TableIncidentRepository } from '../../../src/incidents/incident-repository';
import { createResponseFeature, type ResponseDeps } from '../../../src/response/feature';
import { ensureState } from '../../../src/response/plan-assignment';
import { completeStep } from '../../../src/response/step-actions';
import type { EntityTable } from '../../../src/storage/entity-table';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import { tableNames, type TableStore } from '../../../src/storage/table-store';
import { person, playbookFacts, responseWorld } from './response-fixtures';

function featureDeps(plansDir: string): ResponseDeps {
  const w = responseWorld();
  return {
    ...w.deps,
    plansDir,
    playbooks: { ...w.deps.playbooks!, facts: playbookFacts },
    publisher: { ...w.deps.publisher, render: async () => ({}) },
    closeIncident: async () => ({ card: {} }),
  };
}

test('a bad plan stops the start with an error naming the file and the key; the shipped ones make the verbs and the card section', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-plans-'));
  try {
    writeFileSync(join(dir, 'a-good.yaml'), 'id: good\ntitle: Good\nsteps:\n  - { id: s1, title: S, phase: recovery, type: manual }\n');
    writeFileSync(join(dir, 'b-bad.yaml'), 'id: bad\ntitle: Bad\nsteps:\n  - { id: s1, title: S, phase: containment, type: automated, playbook: isolate-host }\n');
    assert.throws(
      () => createResponseFeature(featureDeps(dir)),
      (err: unknown) => isArgusError(err) && err.code === 'ARGUS_CONFIG_INVALID' && /response plan b-bad\.yaml is invalid: steps\[0\]\.playbook: 'isolate-host' needs two-person approval/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const feature = createResponseFeature(featureDeps(resolve(__dirname, '../../../plans')));
  assert.equal(feature.plans.plans.length, 7);
  assert.deepEqual(feature.actions?.map((a) => [a.verb, a.role, a.needsIncident]), [
    ['incident.phase', 'responder', true],
    ['step.complete', 'responder', true],
    ['step.skip', 'responder', true],
    ['step.run', 'responder', true],
  ]);
  assert.equal(feature.cardSections?.length, 1);
});

test('argus incident show: the §9 shape from storage, every step of the plan with its status', async () => {
  const w = responseWorld();
  const tables: Record<string, EntityTable> = { [tableNames.incidents]: memoryEntityTable(), [tableNames.response]: w.table };
  const store = { client: (name: string) => tables[name] } as unknown as TableStore;
  await new TableIncidentRepository(tables[tableNames.incidents]!).save({ incident: { ...w.incident, owner: { assignedTo: 'Ana Analyst' } } }, undefined);
  await ensureState(w.deps, w.incident);
  await completeStep(w.deps, person('responder'), { incidentId: w.incident.name, planId: 'ransomware', stepId: 'scope-hosts', note: 'one host' });
  const shown = await incidentSummary(store, w.incident.number);
  const { plan, ...rest } = shown as { plan: { id: string; steps: Record<string, unknown>[] } };
  assert.deepEqual(rest, { name: w.incident.name, number: 48213, title: w.incident.title, severity: 'High', status: 'New', phase: 'detection', owner: 'Ana Analyst', clocks: [] });
  assert.equal(plan.id, 'ransomware');
  assert.equal(plan.steps.length, 11);
  const first = plan.steps[0]!;
  assert.deepEqual([first.id, first.phase, first.type, first.status, first.by, first.note, first.evidence], ['scope-hosts', 'investigation', 'manual', 'done', 'Rui Responder', 'one host', []]);
  assert.ok(typeof first.doneAt === 'string' && typeof first.durationMs === 'number');
  assert.deepEqual(plan.steps[1], { id: 'collect-package', title: 'Collect investigation package', phase: 'investigation', type: 'automated', status: 'pending', evidence: [] });
  await assert.rejects(incidentSummary(store, 1), (err: unknown) => isArgusError(err) && err.code === 'ARGUS_NOT_FOUND');
});

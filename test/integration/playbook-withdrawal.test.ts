import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { RoleDecision } from '../../src/access/roles';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import type { AcceptInput, AcceptResult } from '../../src/events/intake';
import type { EventName } from '../../src/events/event-map';
import { createLogger } from '../../src/logging/logger';
import { PlaybookCatalog, parsePlaybook } from '../../src/playbooks/catalog';
import type { PlaybookRun } from '../../src/playbooks/playbook';
import type { RunDeps } from '../../src/playbooks/run-context';
import { decideApproval, type Requester } from '../../src/playbooks/run-requests';
import { TablePlaybookRunStore, type PlaybookRunStore } from '../../src/playbooks/run-store';
import { approvalView, runView } from '../../src/playbooks/run-views';
import { openTableStore, tableNames, type TableStore } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { home, testPeople } from '../helpers/test-people';

const { admin, responder } = testPeople('30000000');
const incidentName = 'a1b2c3d4-0000-4000-8000-000000000042';
const playbook = parsePlaybook(
  'id: isolate-host\ntitle: Isolate host\ndescription: Cuts the host off the network.\nappliesTo: { entityKinds: [Host] }\nactsOn: Host\napproval: { required: true, approverRole: admin, expiresAfter: PT30M }\ntarget: { type: http, urlSecret: pb-isolate-url }',
  'isolate-host.yaml',
  { publicUrl: 'https://argus.example.com' },
);

let azurite: TestAzurite;
let store: TableStore;
let runs: PlaybookRunStore;
let deps: RunDeps;
const accepted: AcceptInput<EventName>[] = [];

before(async () => {
  azurite = await startAzurite();
  const logger = createLogger({ level: 'silent' });
  ({ store } = await openTableStore({ kind: 'connectionString', connectionString: azurite.connectionString }, { logger }));
  await store.ensureTable(tableNames.playbookRuns);
  runs = new TablePlaybookRunStore(store.client(tableNames.playbookRuns));
  deps = {
    catalog: new PlaybookCatalog([playbook]),
    runs,
    audit: await TableAuditLog.open(store),
    // Deciding an approval reads no incident and triggers nothing; it only announces the change.
    incidents: { get: async () => assert.fail('a decision does not read the incident') },
    runner: { trigger: async () => assert.fail('a rejected run is never triggered') },
    intake: {
      async accept(input: AcceptInput<EventName>): Promise<AcceptResult> {
        accepted.push(input);
        return { eventId: randomUUID(), duplicate: false, correlationId: input.correlationId ?? 'c' };
      },
    },
    tenantId: home,
    logger,
  };
});
after(async () => {
  await store.close();
  await azurite.stop();
});

function pendingRun(host: string): PlaybookRun {
  const now = Date.now();
  return {
    runId: randomUUID(),
    playbookId: 'isolate-host',
    playbookTitle: 'Isolate host',
    incidentName,
    incidentNumber: 42,
    incidentTitle: 'Ransomware behaviour on FIN-WS-042',
    severity: 'High',
    entity: { kind: 'Host', id: `e-${host}`, displayName: host },
    target: 'http',
    status: 'awaiting-approval',
    requestedBy: { aadObjectId: responder.aadObjectId, name: responder.name, tenantId: home },
    requestedAt: new Date(now).toISOString(),
    approval: { approverRole: 'admin', expiresAt: new Date(now + 30 * 60_000).toISOString() },
    attempts: 0,
    correlationId: randomUUID(),
    approvalCards: [],
  };
}

const decision = (role: RoleDecision['role']): RoleDecision => ({ role, roles: role ? [role] : [], federated: false, reasons: [] });
const requester = (user: typeof admin, role: RoleDecision['role']): Requester => ({
  actor: { aadObjectId: user.aadObjectId, name: user.name, tenantId: home },
  decision: decision(role),
  correlationId: randomUUID(),
});

/** The run as stored, straight from the table (what later readers and other instances see). */
async function storedJson(runId: string): Promise<Record<string, unknown>> {
  const row = await store.client(tableNames.playbookRuns).getEntity<{ data: string }>(`incident|${incidentName}`, runId);
  return JSON.parse(row.data) as Record<string, unknown>;
}

test('a requester withdrawing their own request stores the withdrawal as a field, and the cards say so', async () => {
  const run = pendingRun('FIN-WS-042');
  assert.equal((await runs.create(run)).created, true);
  const outcome = await decideApproval(deps, requester(responder, 'responder'), { incidentName, runId: run.runId, approve: false });
  assert.equal(outcome.kind, 'decided');
  assert.equal((await storedJson(run.runId)).rejection, 'withdrawn');
  const read = (await runs.get(incidentName, run.runId))?.run;
  assert.ok(read);
  assert.deepEqual(approvalView(read, playbook).outcome, { text: 'Withdrawn by Rui Responder', style: 'attention' });
  assert.match(runView(read).detail, /withdrawn by Rui Responder/);
});

test('an approver rejecting stores a rejection, and the cards name the approver', async () => {
  const run = pendingRun('FIN-WS-043');
  assert.equal((await runs.create(run)).created, true);
  const outcome = await decideApproval(deps, requester(admin, 'admin'), { incidentName, runId: run.runId, approve: false });
  assert.equal(outcome.kind, 'decided');
  assert.equal((await storedJson(run.runId)).rejection, 'rejected');
  const read = (await runs.get(incidentName, run.runId))?.run;
  assert.ok(read);
  assert.deepEqual(approvalView(read, playbook).outcome, { text: 'Rejected by Ada Admin', style: 'attention' });
  assert.match(runView(read).detail, /rejected by Ada Admin/);
});

test('the card follows the stored field, whatever the run message says', () => {
  const at = new Date().toISOString();
  const base = pendingRun('FIN-WS-044');
  const withdrawn: PlaybookRun = { ...base, status: 'rejected', rejectedBy: { ...base.requestedBy, at }, rejection: 'withdrawn' };
  assert.equal(approvalView(withdrawn, playbook).outcome?.text, 'Withdrawn by Rui Responder');
  const rejected: PlaybookRun = { ...base, status: 'rejected', rejectedBy: { aadObjectId: admin.aadObjectId, name: admin.name, at }, rejection: 'rejected', message: 'withdrawn by the requester' };
  assert.equal(approvalView(rejected, playbook).outcome?.text, 'Rejected by Ada Admin');
});

test('runs stored before the field existed still read as withdrawn or rejected', async () => {
  const table = store.client(tableNames.playbookRuns);
  const at = new Date().toISOString();
  const legacy = (run: PlaybookRun) =>
    table.createEntity({ partitionKey: `incident|${incidentName}`, rowKey: run.runId, playbookId: run.playbookId, status: run.status, requestedAt: run.requestedAt, data: JSON.stringify(run) });
  const base = pendingRun('FIN-WS-045');
  const withdrawn: PlaybookRun = { ...base, status: 'rejected', rejectedBy: { ...base.requestedBy, at }, finishedAt: at, message: 'withdrawn by the requester' };
  const rejected: PlaybookRun = { ...base, runId: randomUUID(), status: 'rejected', rejectedBy: { aadObjectId: admin.aadObjectId, name: admin.name, tenantId: home, at }, finishedAt: at };
  await legacy(withdrawn);
  await legacy(rejected);
  const readWithdrawn = (await runs.get(incidentName, withdrawn.runId))?.run;
  const readRejected = (await runs.get(incidentName, rejected.runId))?.run;
  assert.equal(readWithdrawn?.rejection, 'withdrawn');
  assert.equal(readRejected?.rejection, 'rejected');
  assert.equal(readWithdrawn && approvalView(readWithdrawn, playbook).outcome?.text, 'Withdrawn by Rui Responder');
  assert.equal(readRejected && approvalView(readRejected, playbook).outcome?.text, 'Rejected by Ada Admin');
  assert.equal(readWithdrawn && runView(readWithdrawn).status, 'Rejected: withdrawn by the requester');
});

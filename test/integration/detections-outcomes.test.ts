import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import type { CliIO } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import type { DetectionOutcomeStore } from '../../src/detections/outcomes/outcome-store';
import { TableDetectionOutcomeStore } from '../../src/detections/outcomes/table-outcome-store';
import { isArgusError } from '../../src/errors/catalog';
import { memoryEntityTable } from '../../src/storage/memory-entity-table';
import { tableNames } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

let n = 0;
const alert = (ruleId: string, title = `Rule ${ruleId}`) => ({
  id: (++n).toString(16).padStart(32, '0'),
  ruleId,
  title,
  level: 'high' as const,
  detectedAt: new Date(Date.UTC(2026, 10, 22, 10, 0, n)).toISOString(),
});

async function tableClient(table: string): Promise<TableClient> {
  const client = TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
  await client.createTable();
  return client;
}

/** The same contract for the Table Storage store and its in-memory twin. */
function contract(name: string, make: () => Promise<DetectionOutcomeStore>): void {
  describe(name, () => {
    test('a fired alert is recorded once; redelivery is recognised', async () => {
      const store = await make();
      const a = alert('rule/with#odd?chars');
      assert.deepEqual(await store.recordFired(a), { created: true });
      assert.deepEqual(await store.recordFired(a), { created: false });
      const r = await store.get(a.ruleId, a.id);
      assert.equal(r?.state, 'fired');
      assert.equal(r?.verdict, undefined);
      assert.deepEqual(r?.history, [{ outcome: 'fired', at: a.detectedAt }]);
    });

    test('triage decisions set a verdict, an analyst overrides it, every step is kept', async () => {
      const store = await make();
      const a = alert('r-override');
      await store.recordFired(a);
      const closed = await store.recordOutcome({ ruleId: a.ruleId, alertId: a.id, outcome: 'auto_closed', actor: 'triage' });
      assert.equal(closed.verdict, 'false_positive');
      const overridden = await store.recordOutcome({ ruleId: a.ruleId, alertId: a.id, outcome: 'human_override', verdict: 'true_positive', actor: 'analyst-1', note: 'real intrusion' });
      assert.equal(overridden.state, 'human_override');
      assert.equal(overridden.verdict, 'true_positive');
      assert.equal(overridden.autoVerdict, 'false_positive');
      const stored = await store.get(a.ruleId, a.id);
      assert.deepEqual(
        stored?.history.map((h) => [h.outcome, h.verdict, h.actor]),
        [
          ['fired', undefined, undefined],
          ['auto_closed', undefined, 'triage'],
          ['human_override', 'true_positive', 'analyst-1'],
        ],
      );
      // A later automatic decision does not outrank the analyst.
      const escalated = await store.recordOutcome({ ruleId: a.ruleId, alertId: a.id, outcome: 'auto_closed' });
      assert.equal(escalated.verdict, 'true_positive');
    });

    test('unknown alerts and incomplete overrides are refused', async () => {
      const store = await make();
      await assert.rejects(store.recordOutcome({ ruleId: 'nope', alertId: 'nope', outcome: 'escalated' }), (e: unknown) => isArgusError(e, 'ARGUS_NOT_FOUND'));
      const a = alert('r-bad');
      await store.recordFired(a);
      await assert.rejects(store.recordOutcome({ ruleId: a.ruleId, alertId: a.id, outcome: 'human_override' }), (e: unknown) => isArgusError(e, 'ARGUS_BAD_REQUEST') && /needs a verdict/.test(e.message));
      assert.equal((await store.get(a.ruleId, a.id))?.state, 'fired', 'a refused update changes nothing');
    });

    test('stats: per-rule verdicts and false-positive rate, worst first', async () => {
      const store = await make();
      const decide = async (ruleId: string, outcome: 'auto_closed' | 'escalated' | 'fired', override?: 'true_positive' | 'false_positive' | 'benign') => {
        const a = alert(ruleId, `Title ${ruleId}`);
        await store.recordFired(a);
        if (outcome !== 'fired') await store.recordOutcome({ ruleId, alertId: a.id, outcome });
        if (override) await store.recordOutcome({ ruleId, alertId: a.id, outcome: 'human_override', verdict: override });
      };
      await decide('s-noisy', 'auto_closed');
      await decide('s-noisy', 'auto_closed');
      await decide('s-noisy', 'auto_closed');
      await decide('s-noisy', 'escalated');
      await decide('s-good', 'escalated');
      await decide('s-good', 'auto_closed', 'benign');
      await decide('s-good', 'fired');
      await decide('s-new', 'fired');
      const all = (await store.stats()).filter((s) => s.ruleId.startsWith('s-'));
      assert.deepEqual(
        all.map((s) => [s.ruleId, s.fired, s.truePositives, s.falsePositives, s.benign, s.pending, s.overrides, s.falsePositiveRate]),
        [
          ['s-noisy', 4, 1, 3, 0, 0, 0, 0.75],
          ['s-good', 3, 1, 0, 1, 1, 1, 0],
          ['s-new', 1, 0, 0, 0, 1, 0, null],
        ],
      );
      assert.deepEqual((await store.stats({ ruleId: 's-good' })).map((s) => s.ruleId), ['s-good']);
    });
  });
}

contract('outcome store over the in-memory table', async () => new TableDetectionOutcomeStore(memoryEntityTable()));
contract('Table Storage outcome store (Azurite)', async () => new TableDetectionOutcomeStore(await tableClient(`Outcomes${++n}`)));

test('concurrent decisions on one alert all land (etag retries), none is lost', async () => {
  const store = new TableDetectionOutcomeStore(await tableClient(`Outcomes${++n}`));
  const a = alert('r-race');
  await store.recordFired(a);
  await Promise.all(Array.from({ length: 4 }, (_, i) => store.recordOutcome({ ruleId: a.ruleId, alertId: a.id, outcome: 'escalated', actor: `worker-${i}` })));
  const r = await store.get(a.ruleId, a.id);
  assert.equal(r?.history.length, 5);
  assert.deepEqual(new Set(r?.history.slice(1).map((h) => h.actor)), new Set(['worker-0', 'worker-1', 'worker-2', 'worker-3']));
});

test('argus rules stats prints the table from DetectionOutcomes, worst first', async () => {
  const store = new TableDetectionOutcomeStore(await tableClient(tableNames.detectionOutcomes));
  for (const outcome of ['auto_closed', 'auto_closed', 'escalated'] as const) {
    const a = alert('cli-noisy', 'Noisy rule');
    await store.recordFired(a);
    await store.recordOutcome({ ruleId: a.ruleId, alertId: a.id, outcome });
  }
  const good = alert('cli-good', 'Good rule');
  await store.recordFired(good);
  await store.recordOutcome({ ruleId: good.ruleId, alertId: good.id, outcome: 'escalated' });

  const run = async (args: string[]) => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const io: CliIO = { stdout, stderr, stdin: Readable.from(['']), env: azurite.env, cwd: process.cwd() };
    const code = await runCli(['rules', 'stats', ...args], io);
    return { code, out, err };
  };
  const table = await run([]);
  assert.equal(table.code, 0, table.err);
  const lines = table.out.trim().split('\n');
  assert.match(lines[0] ?? '', /^FP RATE\s+FIRED\s+TP\s+FP\s+BENIGN\s+PENDING\s+OVERRIDES\s+LEVEL\s+RULE\s+TITLE$/);
  assert.match(lines[1] ?? '', /^66\.7%\s+3\s+1\s+2\s+0\s+0\s+0\s+high\s+cli-noisy\s+Noisy rule$/);
  assert.match(lines[2] ?? '', /^0\.0%\s+1\s+1\s+0\s+0\s+0\s+0\s+high\s+cli-good\s+Good rule$/);
  const json = await run(['--rule', 'cli-good', '--json']);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.out), { ruleId: 'cli-good', title: 'Good rule', level: 'high', fired: 1, truePositives: 1, falsePositives: 0, benign: 0, pending: 0, overrides: 0, falsePositiveRate: 0 });
});

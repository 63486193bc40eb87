/**
 * `npm run bench:storage`: what a row costs the embedded emulator when written alone and in
 * entity-group transactions of 2, 5, 10, 30 and 99 rows — the figures behind the intake's group
 * commit (docs/benchmarks.md). Prints rows/s and CPU milliseconds per row of this process's main
 * thread (the client) and of its other threads (Azurite's worker and V8's helpers), twice.
 */
import { TableClient, type TransactionAction } from '@azure/data-tables';
import { startAzurite } from '../helpers/azurite';
import { pool } from '../helpers/storm';
import { threadCpu } from '../helpers/thread-cpu';

async function main(): Promise<void> {
  const azurite = await startAzurite();
  const table = TableClient.fromConnectionString(azurite.connectionString, 'StorageBench', { allowInsecureConnection: true });
  await table.createTable();
  const payload = new Uint8Array(1500);
  const entity = (partitionKey: string, i: number) => ({ partitionKey, rowKey: `r-${i}`, a: 'x'.repeat(40), b: 'y'.repeat(40), c: 1, d: new Date().toISOString(), payload0: payload });
  const results: Array<Record<string, number | string>> = [];
  let next = 0;
  async function measure(label: string, rows: number, run: () => Promise<void>): Promise<void> {
    const before = threadCpu();
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    let client = 0;
    let others = 0;
    for (const [tid, t] of threadCpu()) {
      const used = t.seconds - (before.get(tid)?.seconds ?? 0);
      if (t.main) client += used;
      else others += used;
    }
    results.push({ label, rowsPerSecond: Math.round(rows / (ms / 1000)), clientCpuMsPerRow: Math.round((client * 1e6) / rows) / 1000, emulatorCpuMsPerRow: Math.round((others * 1e6) / rows) / 1000 });
  }
  const rows = 4000;
  for (let round = 0; round < 2; round += 1) {
    await measure('single inserts, concurrency 32, 16 partitions', rows, () =>
      pool(Array.from({ length: rows }, () => next++), 32, async (i) => void (await table.createEntity(entity(`p${i % 16}`, i)))),
    );
    for (const size of [2, 5, 10, 30, 99]) {
      const count = Math.floor(rows / size);
      await measure(`transactions of ${size}, concurrency 4`, count * size, () =>
        pool(Array.from({ length: count }, () => (next += size)), 4, async (first) => {
          const actions = Array.from({ length: size }, (_, j): TransactionAction => ['create', entity(`q${first % 16}`, first + j)]);
          await table.submitTransaction(actions);
        }),
      );
    }
  }
  await azurite.stop();
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

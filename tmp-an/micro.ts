import { TableClient } from '@azure/data-tables';
import { readdirSync, readFileSync } from 'node:fs';
import { startAzurite } from '../test/helpers/azurite';
import { pool } from '../test/helpers/storm';
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/self/task`)) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(tid, (Number(f[11]) + Number(f[12])) / 100);
  }
  return out;
}
const mainTid = String(process.pid);
async function main() {
  const az = await startAzurite();
  const t = TableClient.fromConnectionString(az.connectionString, 'Micro', { allowInsecureConnection: true });
  await t.createTable();
  const payload = new Uint8Array(1500);
  const ent = (pk: string, i: number) => ({ partitionKey: pk, rowKey: `r-${i}`, a: 'x'.repeat(40), b: 'y'.repeat(40), c: 1, d: new Date().toISOString(), payload0: payload });
  let k = 0;
  async function measure(label: string, n: number, fn: () => Promise<void>) {
    const c0 = threadCpu(); const s0 = process.cpuUsage(); const t0 = performance.now();
    await fn();
    const c1 = threadCpu(); const ms = performance.now() - t0;
    let other = 0, mainT = 0;
    for (const [tid, v] of c1) { const d = v - (c0.get(tid) ?? 0); if (tid === mainTid) mainT += d; else other += d; }
    console.log(`${label}: ${(n / (ms / 1000)).toFixed(0)}/s  main ${(mainT * 1000 / n).toFixed(3)} ms/row  others(azurite+gc) ${(other * 1000 / n).toFixed(3)} ms/row`);
  }
  const N = 4000;
  for (let round = 0; round < 2; round++) {
    await measure('single creates c32 (16 partitions)', N, () => pool(Array.from({ length: N }, () => k++), 32, async (i) => void (await t.createEntity(ent(`p${i % 16}`, i)))));
    for (const g of [2, 5, 10, 30, 99]) {
      await measure(`batch ${g} c4`, N, () => pool(Array.from({ length: N / g }, () => k += g), 4, async (i) => void (await t.submitTransaction(Array.from({ length: g }, (_, j) => ['create', ent(`q${i % 16}`, i + j)]) as never))));
    }
  }
  await az.stop();
}
main();

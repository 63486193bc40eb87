import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used so far by each thread of a process, by thread id, with its name and whether it is the main thread (Linux /proc; empty elsewhere). */
export function threadCpu(pid: number | 'self' = 'self'): Map<string, { name: string; main: boolean; seconds: number }> {
  const out = new Map<string, { name: string; main: boolean; seconds: number }>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, main: tid === String(pid === 'self' ? process.pid : pid), seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
    }
  } catch {
    // not Linux, or the process is gone
  }
  return out;
}

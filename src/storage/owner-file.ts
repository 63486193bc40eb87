import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * `<dataDir>/azurite.json`: which process runs the embedded emulator for a data dir, and where.
 * Claimed with an exclusive create (only one process can win), then rewritten with the endpoints
 * once the servers listen. Other processes read it to attach instead of opening the same files.
 */
export const ownerFileSchema = z.object({
  pid: z.number().int().positive(),
  tableEndpoint: z.string().optional(),
  queueEndpoint: z.string().optional(),
  blobEndpoint: z.string().optional(),
});
export type OwnerFile = z.infer<typeof ownerFileSchema>;

export function ownerFilePath(dataDir: string): string {
  return join(dataDir, 'azurite.json');
}

/** The owner file, or undefined when absent or unreadable (an unreadable file counts as stale). */
export async function readOwnerFile(file: string): Promise<OwnerFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
  try {
    const parsed = ownerFileSchema.safeParse(JSON.parse(text));
    // A half-written or foreign file: pid 0 never names a live process, so it is replaced.
    return parsed.success ? parsed.data : { pid: 0 } as OwnerFile;
  } catch {
    return { pid: 0 } as OwnerFile;
  }
}

/** Exclusive create; false when another process holds the file. */
export async function claimOwnerFile(file: string): Promise<boolean> {
  try {
    await writeFile(file, JSON.stringify({ pid: process.pid }), { flag: 'wx' });
    return true;
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false;
    throw err;
  }
}

/** Atomic replace (write + rename), so readers never see half a file. */
export async function writeOwnerFile(file: string, content: OwnerFile): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(content));
  await rename(tmp, file);
}

/** Removes the file if it still says what we judged stale (another process may have replaced it). */
export async function removeStaleOwnerFile(file: string, seen: OwnerFile): Promise<void> {
  const now = await readOwnerFile(file);
  if (!now || JSON.stringify(now) !== JSON.stringify(seen)) return;
  await unlink(file).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
}

/** Removes the file if this process owns it. */
export async function releaseOwnerFile(file: string): Promise<void> {
  const now = await readOwnerFile(file);
  if (now?.pid !== process.pid) return;
  await unlink(file).catch((err: unknown) => {
    if (!isErrno(err, 'ENOENT')) throw err;
  });
}

export function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return isErrno(err, 'EPERM');
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

export interface FollowOptions {
  signal: AbortSignal;
  /** How often to look for new data when no change notification arrives; default 250 ms. */
  pollMs?: number;
  chunkBytes?: number;
}

/**
 * Reads a file from the start and then keeps reading what is appended, like `tail -F`: a file
 * that shrinks (truncated) or is replaced (rotated: another inode at the path) is read again
 * from its start, announced by a `null` chunk so a reader can drop a half-read event. Ends when
 * `signal` aborts.
 */
export async function* followFile(path: string, options: FollowOptions): AsyncGenerator<string | null> {
  const { signal } = options;
  const pollMs = options.pollMs ?? 250;
  const buf = Buffer.alloc(options.chunkBytes ?? 1 << 20);
  const decoder = new TextDecoder('utf-8');
  let handle: FileHandle = await open(path, 'r');
  let inode = (await handle.stat()).ino;
  let position = 0;
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  try {
    watcher = watch(path, { persistent: false }, () => wake?.());
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined; // polling alone still works
  }
  try {
    while (!signal.aborted) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      if (bytesRead > 0) {
        position += bytesRead;
        const text = decoder.decode(buf.subarray(0, bytesRead), { stream: true });
        if (text) yield text;
        continue;
      }
      // At the end: wait for a change (or the next poll), then check for truncation or rotation.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
      if (signal.aborted) break;
      const current = await stat(path).catch(() => undefined);
      if (!current) continue; // between rotation steps: the path is briefly missing
      if (current.ino !== inode || current.size < position) {
        await handle.close();
        handle = await open(path, 'r');
        inode = (await handle.stat()).ino;
        position = 0;
        decoder.decode(); // drop a partial character of the old file
        yield null;
      }
    }
  } finally {
    watcher?.close();
    await handle.close();
  }
}

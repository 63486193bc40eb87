/**
 * Runs work for one key after any other work for the same key in this process has finished:
 * ticket work and ITSM callbacks for one incident take turns (across instances the link's lease
 * and etags keep them apart).
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.tails.set(key, run);
    void run
      .finally(() => {
        if (this.tails.get(key) === run) this.tails.delete(key);
      })
      .catch(() => undefined);
    return run;
  }
}

/**
 * How many events one instance processes at once: `concurrency`, or `busyConcurrency` while
 * acknowledging webhooks is busy (`busy`), so a burst is stored and acknowledged first and worked
 * off right after instead of both competing for storage.
 */
export class ProcessingSlots {
  private running = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly o: { concurrency: number; busyConcurrency: number; busy?: () => boolean }) {}

  get limit(): number {
    return this.o.busy?.() ? Math.min(this.o.busyConcurrency, this.o.concurrency) : this.o.concurrency;
  }

  /** Waits for a free slot; resolves to its release. */
  async take(): Promise<() => void> {
    // Re-checked every 50 ms as well: the limit rises again when the burst is over.
    while (this.running >= this.limit)
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    this.running += 1;
    return () => {
      this.running -= 1;
      this.waiters.shift()?.();
    };
  }
}

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
    // Re-checked every 50 ms as well: the limit rises again when the burst is over. A waiter leaves
    // the list however it wakes, so the list holds only callers still waiting (and a release wakes one).
    while (this.running >= this.limit)
      await new Promise<void>((r) => {
        const wake = () => {
          clearTimeout(t);
          const at = this.waiters.indexOf(wake);
          if (at >= 0) this.waiters.splice(at, 1);
          r();
        };
        const t = setTimeout(wake, 50);
        this.waiters.push(wake);
      });
    return this.grant();
  }

  /** A slot if one is free now, else undefined at once (the caller leaves the work to the queue). */
  tryTake(): (() => void) | undefined {
    return this.running < this.limit ? this.grant() : undefined;
  }

  private grant(): () => void {
    this.running += 1;
    return () => {
      this.running -= 1;
      this.waiters.shift()?.();
    };
  }
}

import type { Logger } from '../logging/logger';

/**
 * Calls `sweep` every `intervalMs` (never two at once) until stopped. Deadlines live in storage,
 * not in timers, so a restart or another instance picks them up.
 */
export function startSweeper(options: { intervalMs: number; sweep: () => Promise<void>; logger: Logger }): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = options
      .sweep()
      .catch((err: unknown) => options.logger.warn({ err }, 'playbook deadline sweep failed; will try again'))
      .finally(() => (running = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

import type { Logger } from '../logging/logger';

/**
 * Calls `sweep` every `intervalMs` (never two at once) from `start` until `stop`. Deadlines live in
 * storage, not in timers, so a restart or another instance picks them up.
 */
export function deadlineSweeper(options: { intervalMs: number; sweep: () => Promise<void>; logger: Logger }): { start(): void; stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      timer = setInterval(() => {
        if (running || stopped) return;
        running = options
          .sweep()
          .catch((err: unknown) => options.logger.warn({ err }, 'playbook deadline sweep failed; will try again'))
          .finally(() => (running = undefined));
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

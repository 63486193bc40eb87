import type { BackgroundTask, FeatureParts } from '../app/feature';
import type { SharePointLayoutsSettings } from '../config/cards-schema';
import type { Logger } from '../logging/logger';
import { parseIsoDuration } from '../playbooks/duration';
import { createDriveReader, type GraphGet } from './drive-reader';
import { createLayoutSync, type LayoutSync } from './layout-sync';

export interface CardLayoutsFeature extends FeatureParts {
  /** Absent when `cards.sharePoint` is not configured. */
  sync?: LayoutSync;
}

/**
 * Card layouts from SharePoint (docs/card-layouts.md): read when the service starts and every
 * `refresh` after. Cards rendered before the first read finishes use the built-in layouts.
 */
export function createCardLayoutsFeature(deps: { settings?: SharePointLayoutsSettings; get: GraphGet; logger: Logger }): CardLayoutsFeature {
  const { settings, logger } = deps;
  if (!settings) return {};
  const sync = createLayoutSync({ reader: createDriveReader(settings, deps.get), logger, install: true });
  const intervalMs = parseIsoDuration(settings.refresh) ?? 300_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const pass = () => {
    // A pass still going (a slow Graph) is not doubled.
    running ??= sync
      .run()
      .catch((err: unknown) => logger.error({ err }, 'card layout sync failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const background: BackgroundTask = {
    start() {
      pass();
      timer = setInterval(pass, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
  return {
    sync,
    background: [background],
    readiness: [
      {
        name: 'cardLayouts',
        read: async () => {
          const statuses = sync.statuses();
          return { ok: statuses.every((s) => !s.problem), layouts: statuses };
        },
      },
    ],
  };
}

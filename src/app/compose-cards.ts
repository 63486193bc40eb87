import { createDriveReader, graphGet } from '../layouts/drive-reader';
import { createCardLayoutsFeature, type CardLayoutsFeature } from '../layouts/feature';
import { createLayoutSync, type LayoutSync } from '../layouts/layout-sync';
import type { SharePointLayoutsSettings } from '../config/cards-schema';
import type { ArgusConfig } from '../config/load-config';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from '../logging/logger';
import type { Platform } from './compose';

function graphOf(config: ArgusConfig, credential: () => TokenCredential) {
  const { graph } = config.file;
  return graphGet({ endpoint: graph.endpoint, scope: graph.scope, credential });
}

/** Card layouts from SharePoint, read with the app's credential through the configured Graph endpoint. */
export function composeCardLayouts(p: Platform): CardLayoutsFeature {
  return createCardLayoutsFeature({ settings: p.config.file.cards.sharePoint, get: graphOf(p.config, p.credential), logger: p.logger.child({ feature: 'cards' }) });
}

/** One read of the layouts that changes nothing in use (`argus cards sync`, `argus doctor`). */
export function layoutCheck(config: ArgusConfig, credential: () => TokenCredential, logger: Logger): { settings: SharePointLayoutsSettings; sync: LayoutSync } | undefined {
  const settings = config.file.cards.sharePoint;
  if (!settings) return undefined;
  return { settings, sync: createLayoutSync({ reader: createDriveReader(settings, graphOf(config, credential)), logger, install: false }) };
}

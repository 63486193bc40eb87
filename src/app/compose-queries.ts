import { dirname, resolve } from 'node:path';
import { parseIsoDuration } from '../playbooks/duration';
import { loadQueryCatalog } from '../queries/catalog';
import { createQueriesFeature, type QueriesFeature } from '../queries/feature';
import { createLogAnalyticsClient } from '../queries/log-analytics-client';
import type { Platform } from './compose';

/**
 * Investigation queries from the platform: the catalog (queries/*.yaml, or logAnalytics.queriesDir,
 * read from where the config file is; a bad file stops the start) and, when `logAnalytics` is
 * configured, the Query API client with the app's DefaultAzureCredential.
 */
export function composeQueries(p: Platform): QueriesFeature {
  const settings = p.config.file.logAnalytics;
  const logger = p.logger.child({ feature: 'queries' });
  const base = p.config.configPath ? dirname(p.config.configPath) : '.';
  const catalog = loadQueryCatalog(resolve(base, settings?.queriesDir ?? './queries'), logger);
  // A run holds its queue message for the visibility timeout only: a query outliving it would be run again elsewhere.
  const { visibilityTimeoutSeconds } = p.config.file.intake;
  if (settings && (parseIsoDuration(settings.timeout) ?? 0) / 1000 + 10 >= visibilityTimeoutSeconds)
    logger.warn({ timeout: settings.timeout, visibilityTimeoutSeconds }, 'logAnalytics.timeout is not well below intake.visibilityTimeoutSeconds: a slow query may run twice');
  return createQueriesFeature({
    catalog,
    ...(settings ? { settings, client: createLogAnalyticsClient({ settings, credential: p.credential, log: logger }) } : {}),
    incidents: p.incidents,
    publisher: p.publisher,
    cards: p.outbox,
    delivery: p.delivery,
    intake: p.intake,
    audit: p.audit,
    logger,
  });
}

import type { FeatureParts } from '../app/feature';
import type { AuditLog } from '../audit/audit-log';
import type { LogAnalyticsSettings } from '../config/log-analytics-schema';
import type { DurableIntake } from '../events/intake';
import type { EventHandler } from '../events/router';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { CardOutbox } from '../teams/card-outbox';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { investigateCardDecorator } from './card-section';
import type { QueryCatalog } from './catalog';
import type { LogAnalyticsClient } from './log-analytics-client';
import { queryActions } from './query-actions';
import { queryCommands } from './query-commands';
import { runQuery } from './query-runner';

export interface QueriesDeps {
  catalog: QueryCatalog;
  /** The `logAnalytics` section; absent: nothing is offered and `kql` says so. */
  settings?: LogAnalyticsSettings;
  client?: LogAnalyticsClient;
  incidents: Pick<IncidentRepository, 'get'>;
  publisher: Pick<CardPublisher, 'render'>;
  cards: Pick<CardOutbox, 'cardsOf'>;
  delivery: Pick<TeamsDelivery, 'post' | 'reply'>;
  intake: Pick<DurableIntake, 'accept'>;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
}

export interface QueriesFeature extends FeatureParts {
  handlers: {
    /** Run a requested query and post its answer in Teams. */
    run: EventHandler<'query.run.requested'>;
  };
}

/** Investigation queries: the catalog's Investigate menus on incident cards, `kql` for admins, runs on Log Analytics. */
export function createQueriesFeature(d: QueriesDeps): QueriesFeature {
  const configured = d.settings !== undefined && d.client !== undefined;
  if (!configured && d.catalog.queries.length) d.logger.warn('logAnalytics is not configured: the investigation queries are not offered');
  return {
    handlers: { run: (event) => runQuery({ client: d.client, delivery: d.delivery, audit: d.audit, logger: d.logger }, event) },
    actions: queryActions({ catalog: d.catalog, settings: d.settings, incidents: d.incidents, publisher: d.publisher, cards: d.cards, intake: d.intake, audit: d.audit }),
    commands: queryCommands({ settings: d.settings, cards: d.cards, intake: d.intake, audit: d.audit }),
    cardSections: [investigateCardDecorator({ catalog: d.catalog, configured })],
  };
}

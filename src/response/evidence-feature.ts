import type { FeatureParts } from '../app/feature';
import type { AuditLog } from '../audit/audit-log';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { ContentStore } from '../storage/content-store';
import { evidenceActions, evidenceCardSection } from './evidence-actions';
import type { EvidenceLookup } from './evidence-port';
import { EvidenceService } from './evidence-service';
import type { EvidenceStore } from './evidence-store';
import { evidenceUpload } from './evidence-upload';

export interface EvidenceDeps {
  store: EvidenceStore;
  content: ContentStore;
  incidents: Pick<IncidentRepository, 'get' | 'findByNumber'>;
  publisher: Pick<CardPublisher, 'render' | 'publish'>;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
  /** Largest HTTP upload in bytes (default evidenceUploadLimitBytes). */
  uploadLimitBytes?: number;
}

export interface EvidenceFeature extends FeatureParts {
  /** What plan steps, the timeline and reports read of an incident's evidence. */
  lookup: EvidenceLookup;
}

/** Evidence with a chain of custody: the upload endpoint, the card's list and Add evidence form. */
export function createEvidenceFeature(deps: EvidenceDeps): EvidenceFeature {
  const service = new EvidenceService({ store: deps.store, content: deps.content, audit: deps.audit });
  return {
    lookup: service,
    webhooks: [{ route: 'evidence', upload: evidenceUpload({ service, incidents: deps.incidents, publisher: deps.publisher, logger: deps.logger, limitBytes: deps.uploadLimitBytes }) }],
    actions: evidenceActions({ service, incidents: deps.incidents, publisher: deps.publisher, audit: deps.audit, logger: deps.logger }),
    cardSections: [evidenceCardSection(service)],
  };
}

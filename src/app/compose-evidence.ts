import { createEvidenceFeature, type EvidenceFeature } from '../response/evidence-feature';
import { EvidenceStore } from '../response/evidence-store';
import { blobContainer, blobContentStore, containerNames } from '../storage/blob-content-store';
import { tableNames } from '../storage/table-store';
import type { Platform } from './compose';

/** Evidence with a chain of custody: content in Blob Storage, items and ledgers in table ArgusEvidence. */
export function composeEvidence(p: Platform): EvidenceFeature {
  return createEvidenceFeature({
    store: new EvidenceStore(p.store.client(tableNames.evidence)),
    content: blobContentStore(blobContainer(p.blobs, containerNames.evidence)),
    incidents: p.incidents,
    publisher: p.publisher,
    audit: p.audit,
    logger: p.logger.child({ feature: 'evidence' }),
  });
}

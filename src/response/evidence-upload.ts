import { secretNames } from '../config/secret-provider';
import { ArgusError } from '../errors/catalog';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { UploadSpec } from '../ingress/upload-handler';
import type { Logger } from '../logging/logger';
import { registeredNote } from './evidence-actions';
import { evidenceText } from './evidence-input';
import type { EvidenceService } from './evidence-service';

/** Largest evidence upload over HTTP; larger collections go through `argus evidence add`. */
export const evidenceUploadLimitBytes = 256 * 1024 * 1024;

export interface EvidenceUploadDeps {
  service: Pick<EvidenceService, 'register'>;
  incidents: Pick<IncidentRepository, 'findByNumber'>;
  publisher: Pick<CardPublisher, 'publish'>;
  logger: Logger;
  limitBytes?: number;
}

/** An incident number as the query names it: digits only. */
export function incidentNumberOf(value: unknown): number {
  if (typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value)) return Number(value);
  throw new ArgusError('ARGUS_BAD_REQUEST', 'incident must be an incident number', { details: [{ path: 'incident', message: 'must be an incident number' }] });
}

/**
 * `POST /api/evidence?incident=<number>&custodian=…&purpose=…&source=…&filename=…` (ARCHITECTURE §9):
 * the raw body is the content, streamed into Blob Storage while Argus hashes it. The parameters are
 * checked before a byte is read; for a signed upload the signature is checked at the body's end,
 * before anything is committed, and an unknown incident is answered only to a proven caller.
 * Answers `201 {evidenceId, sha256, size}`.
 */
export function evidenceUpload(deps: EvidenceUploadDeps): UploadSpec {
  const limit = deps.limitBytes ?? evidenceUploadLimitBytes;
  return {
    source: 'evidence',
    secretName: secretNames.evidenceUpload,
    bodyLimitBytes: limit,
    async receive(upload) {
      const q = upload.query;
      const number = incidentNumberOf(q.incident);
      evidenceText({ filename: q.filename, source: q.source, purpose: q.purpose, custodian: q.custodian }, ['filename', 'purpose', 'custodian']);
      const record = await deps.incidents.findByNumber(number);
      if (!record) {
        // Read (and authenticate) the body anyway: whether an incident exists is told to proven callers only.
        for await (const _ of upload.body);
        await upload.authenticated();
        throw new ArgusError('ARGUS_NOT_FOUND', `Argus has no incident number ${number}`);
      }
      const registered = await deps.service.register({
        incident: { id: record.incident.name, number },
        filename: q.filename,
        source: q.source,
        purpose: q.purpose,
        custodian: q.custodian,
        actor: { name: upload.caller, id: upload.caller, via: 'http' },
        content: upload.body,
        maxBytes: limit,
        beforeKeep: upload.authenticated,
        correlationId: upload.correlationId,
      });
      const note = registeredNote(q.filename ?? '', registered.sha256, q.custodian ?? '');
      void deps.publisher.publish(record.incident.name, note).catch((err: unknown) => deps.logger.warn({ err, incident: record.incident.name }, 'could not refresh the cards after registering evidence'));
      return { status: 201, body: registered };
    },
  };
}

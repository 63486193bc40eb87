import { createHash } from 'node:crypto';
import type { Actor } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import { ArgusError } from '../errors/catalog';
import type { IncidentWritebackPayload } from '../events/event-map';
import type { AcceptInput, AcceptResult } from '../events/intake';
import type { Logger } from '../logging/logger';
import type { CardPublisher, ThreadNote } from './card-publisher';
import type { Incident } from './incident';
import { compareTimestamps, describeChanges, notableChanges, type NotableChange } from './incident-diff';
import type { IncidentRecord, IncidentRepository } from './incident-repository';

/** The part of the Sentinel REST client the incident service uses. */
export interface SentinelPort {
  getIncident(name: string): Promise<Incident>;
  updateIncident(name: string, change: IncidentWritebackPayload['change']): Promise<Incident>;
  addComment(name: string, message: string, id?: string): Promise<{ id: string }>;
}

export interface IncidentServiceOptions {
  incidents: IncidentRepository;
  publisher: CardPublisher;
  audit: AuditLog;
  logger: Logger;
  /** Absent: Argus keeps incident state itself and cards say so. */
  sentinel?: SentinelPort;
  intake: { accept(input: AcceptInput<'incident.writeback.requested'>): Promise<AcceptResult> };
}

export type IngestOutcome = 'created' | 'updated' | 'same' | 'stale';

export type LocalMutation =
  | { kind: 'change'; incident: Incident; summary: string; writeback?: Omit<IncidentWritebackPayload, 'actor' | 'verb' | 'incidentName'> }
  | { kind: 'noop'; reason: string };

const maxSaveAttempts = 5;
const permanentCodes = new Set<string>(['ARGUS_DEPENDENCY_FAILED', 'ARGUS_CONFLICT', 'ARGUS_BAD_REQUEST', 'ARGUS_NOT_FOUND']);

/** Incident lifecycle: Sentinel versions in, engineers' changes out, cards kept in step. */
export class IncidentService {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: IncidentServiceOptions) {}

  get sentinelConnected(): boolean {
    return this.options.sentinel !== undefined;
  }

  /** Runs `fn` after any other work on the same incident in this process (fewer etag retries). */
  private withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(name) ?? Promise.resolve()).catch(() => undefined).then(fn);
    this.locks.set(name, run);
    void run.finally(() => {
      if (this.locks.get(name) === run) this.locks.delete(name);
    }).catch(() => undefined);
    return run;
  }

  /**
   * Stores a Sentinel version unless a newer one is already stored, then brings the cards up to date.
   * `likelyNew` (Sentinel said "created"): try the insert before reading, one storage call fewer on
   * the way to a new incident's card; when the row is there after all, it goes the usual way.
   */
  async ingest(incoming: Incident, options: { likelyNew?: boolean } = {}): Promise<{ outcome: IngestOutcome; changes: NotableChange[] }> {
    const result = await this.withLock(incoming.name, async () => {
      for (let attempt = 0; attempt < maxSaveAttempts; attempt += 1) {
        const existing = attempt === 0 && options.likelyNew ? undefined : await this.options.incidents.get(incoming.name);
        if (existing) {
          const order = compareTimestamps(incoming.lastModifiedTimeUtc, existing.incident.lastModifiedTimeUtc);
          if (order < 0) return { outcome: 'stale' as const, changes: [] };
          if (order === 0 && (incoming.etag ?? '') === (existing.incident.etag ?? '')) return { outcome: 'same' as const, changes: [], record: existing };
        }
        const changes = notableChanges(existing?.incident, incoming);
        const saved = { incident: incoming, notice: existing?.notice, pendingWriteback: existing?.pendingWriteback };
        const etag = await this.options.incidents.save(saved, existing?.etag);
        if (etag) return { outcome: existing ? ('updated' as const) : ('created' as const), changes, record: { ...saved, etag } };
      }
      throw new ArgusError('ARGUS_CONFLICT', `incident ${incoming.name} kept changing while being stored`);
    });
    // 'same' still publishes: a redelivered event after a crash must finish posting the card.
    if (result.outcome !== 'stale')
      await this.options.publisher.publish(incoming.name, result.changes.length ? `${describeChanges(result.changes)} (in Sentinel)` : undefined, result.record, {
        firstVersion: result.outcome === 'created',
      });
    return { outcome: result.outcome, changes: result.changes };
  }

  async get(name: string): Promise<IncidentRecord | undefined> {
    return this.options.incidents.get(name);
  }

  /**
   * Applies an engineer's change here at once (the card answers with it), queues the write-back
   * to Sentinel durably, and refreshes the posted cards in the background.
   */
  async changeLocally(
    name: string,
    verb: string,
    actor: Actor,
    correlationId: string,
    mutate: (incident: Incident) => LocalMutation,
    options: { threadNote?: string | ThreadNote } = {},
  ): Promise<{ record: IncidentRecord; noop?: string }> {
    const saved = await this.withLock(name, async () => {
      for (let attempt = 0; attempt < maxSaveAttempts; attempt += 1) {
        const existing = await this.options.incidents.get(name);
        if (!existing) throw new ArgusError('ARGUS_NOT_FOUND', `incident ${name} is not known to Argus`);
        const m = mutate(existing.incident);
        if (m.kind === 'noop') return { record: existing, noop: m.reason };
        const notice = { text: m.summary, style: 'good' as const, at: new Date().toISOString() };
        const pending = m.writeback && this.sentinelConnected ? [...new Set([...(existing.pendingWriteback ?? []), verb])] : existing.pendingWriteback;
        const record = { incident: m.incident, notice, pendingWriteback: pending };
        const etag = await this.options.incidents.save(record, existing.etag);
        if (!etag) continue;
        return { record: { ...record, etag }, base: existing.incident, writeback: m.writeback };
      }
      throw new ArgusError('ARGUS_CONFLICT', `incident ${name} kept changing; try again`);
    });
    if ('noop' in saved && saved.noop) return { record: saved.record, noop: saved.noop };
    // Stored as an event even without Sentinel: the ITSM sync reacts to it too (writeBack skips Sentinel then).
    if ('writeback' in saved && saved.writeback) {
      const payload: IncidentWritebackPayload = {
        ...saved.writeback,
        incidentName: name,
        verb,
        actor: { aadObjectId: actor.aadObjectId, name: actor.name, tenantId: actor.tenantId },
      };
      const digest = createHash('sha256').update(JSON.stringify(payload)).digest('hex').slice(0, 32);
      await this.options.intake.accept({
        name: 'incident.writeback.requested',
        source: 'argus',
        idempotencyKey: `writeback|${name}|${'base' in saved ? saved.base.lastModifiedTimeUtc : ''}|${digest}`,
        correlationId,
        payload,
      });
    }
    this.refreshCardsInBackground(name, options.threadNote);
    return { record: saved.record };
  }

  refreshCardsInBackground(name: string, threadNote?: string | ThreadNote): void {
    void this.options.publisher.publish(name, threadNote).catch((err: unknown) =>
      this.options.logger.warn({ err, incident: name }, 'card refresh after a change failed'),
    );
  }

  /** Handler of incident.writeback.requested: writes an engineer's change to Sentinel. */
  async writeBack(payload: IncidentWritebackPayload, correlationId: string): Promise<void> {
    const sentinel = this.options.sentinel;
    if (!sentinel) return;
    const hasChange = Object.values(payload.change).some((v) => v !== undefined);
    const auditBase = {
      action: 'sentinel.writeback',
      actorId: payload.actor.aadObjectId,
      actorName: payload.actor.name,
      actorTenantId: payload.actor.tenantId,
      target: payload.incidentName,
      correlationId,
    };
    let updated: Incident | undefined;
    try {
      if (hasChange) updated = await sentinel.updateIncident(payload.incidentName, payload.change);
      // The comment id comes from the event: processing the event twice writes one comment.
      if (payload.comment)
        await sentinel.addComment(payload.incidentName, `${payload.comment}\n\n— ${payload.actor.name ?? 'an engineer'} (via Argus)`, guidFrom(correlationId, payload));
    } catch (err) {
      // Refusals will not change by retrying; unavailability (ARGUS_DEPENDENCY_UNAVAILABLE) will.
      const permanent = err instanceof ArgusError && permanentCodes.has(err.code);
      await this.options.audit.append({
        ...auditBase,
        outcome: 'failed',
        detail: { verb: payload.verb, permanent, error: err instanceof Error ? err.message : String(err), code: err instanceof ArgusError ? err.code : undefined },
      });
      if (!permanent) throw err;
      // Show Sentinel's own state again rather than the refused local change.
      const current = await sentinel.getIncident(payload.incidentName).catch(() => undefined);
      await this.settle(payload, current, { text: `Sentinel refused the change (${payload.verb}): ${err instanceof Error ? err.message : String(err)}`, style: 'attention' });
      return;
    }
    await this.options.audit.append({ ...auditBase, outcome: 'succeeded', detail: { verb: payload.verb, change: payload.change, comment: payload.comment !== undefined } });
    await this.settle(payload, updated);
  }

  /** Records Sentinel's answer (its new version) and clears the pending mark. */
  private async settle(payload: IncidentWritebackPayload, updated: Incident | undefined, notice?: Omit<NonNullable<IncidentRecord['notice']>, 'at'>): Promise<void> {
    await this.withLock(payload.incidentName, async () => {
      for (let attempt = 0; attempt < maxSaveAttempts; attempt += 1) {
        const existing = await this.options.incidents.get(payload.incidentName);
        if (!existing) return;
        let incident = existing.incident;
        if (updated && compareTimestamps(updated.lastModifiedTimeUtc, incident.lastModifiedTimeUtc) >= 0) {
          // The REST resource carries no entities or alerts: keep what the webhook gave us.
          incident = { ...incident, ...pickState(updated) };
        }
        const pendingWriteback = (existing.pendingWriteback ?? []).filter((v) => v !== payload.verb);
        const record = { incident, pendingWriteback, notice: notice ? { ...notice, at: new Date().toISOString() } : existing.notice };
        if (await this.options.incidents.save(record, existing.etag)) return;
      }
    });
    this.refreshCardsInBackground(payload.incidentName);
  }
}

/** Sentinel's answer is the truth for the incident's state fields (an absent owner or classification included). */
/** A stable GUID-shaped id for one write-back request. */
function guidFrom(correlationId: string, payload: IncidentWritebackPayload): string {
  const h = createHash('sha256').update(correlationId).update(JSON.stringify(payload)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function pickState(i: Incident): Partial<Incident> {
  const { status, severity, owner, classification, classificationReason, classificationComment, lastModifiedTimeUtc, etag, title } = i;
  return { status, severity, owner, classification, classificationReason, classificationComment, lastModifiedTimeUtc, etag, title };
}

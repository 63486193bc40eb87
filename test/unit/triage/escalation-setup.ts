import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { triageSchema } from '../../../src/config/triage-schema';
import type { DetectionAlert } from '../../../src/detections/alert';
import { TableDetectionOutcomeStore } from '../../../src/detections/outcomes/table-outcome-store';
import { ArgusError } from '../../../src/errors/catalog';
import type { AcceptInput } from '../../../src/events/intake';
import { argusIncidentCreator } from '../../../src/incidents/argus-incident-creator';
import type { Incident } from '../../../src/incidents/incident';
import { TableIncidentCounter } from '../../../src/incidents/incident-counter';
import { TableIncidentRepository } from '../../../src/incidents/incident-repository';
import type { NewIncidentFields } from '../../../src/incidents/sentinel-client';
import { sentinelIncidentCreator } from '../../../src/incidents/sentinel-incident-creator';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { EntityTable } from '../../../src/storage/entity-table';
import { createEscalationFeature } from '../../../src/triage/escalation-feature';
import { TableEscalationStore } from '../../../src/triage/escalation-store';
import { createTriageFeature } from '../../../src/triage/feature';
import { TableTriageStore } from '../../../src/triage/triage-store';
import { fakeIntel, malicious, mixed } from './triage-setup';

/** Triage with escalation on memory tables: Argus's own incidents, or a Sentinel that keeps them in a map. */

export const logger = createLogger({ level: 'silent' });
export const hourMs = 3_600_000;

/** Sentinel's incident API as the creator and the join comments use it; `failNext` makes calls fail as an outage. */
export function fakeSentinel() {
  const incidents = new Map<string, Incident>();
  const comments = new Map<string, { incident: string; message: string }>();
  const state = { failNext: 0, puts: 0 };
  const outage = () => new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', 'sentinel could not be reached (ECONNREFUSED)');
  return {
    incidents,
    comments,
    state,
    async createIncident(name: string, fields: NewIncidentFields) {
      if (state.failNext > 0 && state.failNext--) throw outage();
      const found = incidents.get(name);
      if (found) return { incident: found, created: false };
      state.puts += 1;
      const at = new Date().toISOString();
      const incident: Incident = { name, number: 100 + incidents.size, ...fields, status: 'New', tactics: [], techniques: [], alertCount: 0, alertProducts: [], entities: [], createdTimeUtc: at, lastModifiedTimeUtc: at, etag: '"1"' };
      incidents.set(name, incident);
      return { incident, created: true };
    },
    async addComment(incident: string, message: string, id?: string) {
      comments.set(id ?? String(comments.size), { incident, message });
      return { id: id ?? '' };
    },
  };
}

export interface RigOptions {
  sentinel?: ReturnType<typeof fakeSentinel>;
  groupWindowMs?: number;
  /** Tables shared with another rig: a second Argus instance over the same storage. */
  shared?: { alerts: EntityTable; incidents: EntityTable; outcomes: EntityTable; audit?: MemoryAuditLog };
}

export function escalationRig(options: RigOptions = {}) {
  const tables = options.shared ?? { alerts: memoryEntityTable(), incidents: memoryEntityTable(), outcomes: memoryEntityTable() };
  const outcomes = new TableDetectionOutcomeStore(tables.outcomes);
  const records = new TableTriageStore(tables.alerts);
  const incidents = new TableIncidentRepository(tables.incidents);
  const audit = options.shared?.audit ?? new MemoryAuditLog();
  const published: Array<{ name: string; note?: string }> = [];
  const publisher = {
    async publish(name: string, note?: string | { text: string }) {
      published.push({ name, ...(note ? { note: typeof note === 'string' ? note : note.text } : {}) });
    },
  };
  const accepted: AcceptInput<'alert.escalation.requested'>[] = [];
  const intake = {
    async accept(input: AcceptInput<'alert.escalation.requested'>) {
      accepted.push(input);
      return { eventId: `e${accepted.length}`, duplicate: false, correlationId: input.correlationId ?? 'c' };
    },
  };
  const common = { incidents, publisher, audit };
  const creator = options.sentinel
    ? sentinelIncidentCreator({ ...common, sentinel: options.sentinel })
    : argusIncidentCreator({ ...common, counter: new TableIncidentCounter(tables.incidents) });
  const store = new TableEscalationStore(tables.alerts);
  const escalation = createEscalationFeature({
    store,
    records,
    outcomes,
    creator,
    publisher,
    ...(options.sentinel ? { comments: options.sentinel } : {}),
    incidents,
    intake,
    audit,
    groupWindowMs: options.groupWindowMs ?? hourMs,
    logger,
  });
  const posts: unknown[] = [];
  const triage = createTriageFeature({
    triage: triageSchema.parse({ conversationId: '19:triage@thread.tacv2' }),
    routing: { default: '19:soc@thread.tacv2', rules: [] },
    enrichment: { intel: fakeIntel({ '198.51.100.23': malicious, '203.0.113.9': mixed }), weights: { virustotal: 1, abuseipdb: 0.8 }, configured: ['virustotal', 'abuseipdb'] },
    store: records,
    outcomes,
    delivery: { post: async (_c: string, m: unknown) => (posts.push(m), `activity-${posts.length}`) },
    audit,
    logger,
    escalation: escalation.port,
  });
  const ctx = { log: logger, correlationId: 'corr-1', attempt: 0 };

  /** The alert event: detections record it as fired, then triage decides (the handler table's order). */
  async function receive(alert: DetectionAlert) {
    await outcomes.recordFired(alert);
    const event = { id: `e-${alert.id}`, name: 'alert.received', idempotencyKey: `alert:${alert.id}`, source: 'alerts', receivedAt: '', correlationId: 'c', payload: { alert } } as never;
    await triage.handlers.decide(event, ctx);
    return (await records.get(alert.id))?.record;
  }
  /** An event the handler table gives to an escalation row. */
  const event = <T>(name: string, payload: T, receivedAt = '2025-03-01T12:00:00.000Z') =>
    ({ id: `e-${name}`, name, idempotencyKey: name, source: 'test', receivedAt, correlationId: 'corr-2', payload }) as never;

  return { tables: { ...tables, audit }, outcomes, records, incidents, audit, published, accepted, store, escalation, triage, posts, receive, event, ctx };
}

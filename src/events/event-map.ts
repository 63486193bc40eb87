import type { Incident } from '../incidents/incident';

/**
 * The one event vocabulary: dotted `source.entity.action`. Every event that crosses the durable
 * intake is declared here with its payload type; handlers are registered against these names.
 */
export interface SentinelIncidentPayload {
  incident: Incident;
  eventType: 'created' | 'updated';
  eventUniqueId?: string;
  /** Which parts changed, as the Logic App trigger reports them (updates only). */
  updates?: Record<string, boolean | undefined>;
}

/** A change an engineer made from a card, to be written back to Sentinel. */
export interface IncidentWritebackPayload {
  incidentName: string;
  change: {
    status?: Incident['status'];
    severity?: Incident['severity'];
    owner?: Incident['owner'];
    classification?: Incident['classification'];
    classificationReason?: Incident['classificationReason'];
    classificationComment?: string;
  };
  comment?: string;
  actor: { aadObjectId?: string; name?: string; tenantId?: string };
  /** The card action that caused it (for audit and the card notice). */
  verb: string;
}

export interface AlertReceivedPayload {
  alert: Record<string, unknown>;
}

export interface ArgusEventMap {
  'sentinel.incident.created': SentinelIncidentPayload;
  'sentinel.incident.updated': SentinelIncidentPayload;
  'incident.writeback.requested': IncidentWritebackPayload;
  'alert.received': AlertReceivedPayload;
}

export type EventName = keyof ArgusEventMap;

export const eventNames = [
  'sentinel.incident.created',
  'sentinel.incident.updated',
  'incident.writeback.requested',
  'alert.received',
] as const satisfies readonly EventName[];

export interface ArgusEvent<N extends EventName = EventName> {
  /** Unique id of this stored event (what senders get back as `eventId`). */
  id: string;
  name: N;
  /** Same key = same event: a redelivery is recognised and changes nothing. */
  idempotencyKey: string;
  /** Where it came from (sentinel, itsm, playbooks, alerts, argus). */
  source: string;
  receivedAt: string;
  correlationId: string;
  payload: ArgusEventMap[N];
}

export function isEventName(name: string): name is EventName {
  return (eventNames as readonly string[]).includes(name);
}

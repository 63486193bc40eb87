import type { Incident } from '../incidents/incident';
import type { QueryRunPayload } from '../queries/query-run';

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
  /** The incident's alerts raised by analytics rules Argus deployed from Sigma rules (when the webhook lists alerts). */
  detectionAlerts?: { alertId: string; ruleId: string; title: string; severity?: string }[];
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

/** An analyst's escalation of a triaged alert (the review card's Escalate), or one handed over to be retried. */
export interface AlertEscalationPayload {
  alertId: string;
  /** Who pressed Escalate; absent when triage escalated on its own. */
  actor?: { aadObjectId?: string; name?: string; tenantId?: string };
}

/** A playbook run to act on (start it, follow its change, check its deadline). */
export interface PlaybookRunRefPayload {
  runId: string;
  incidentName: string;
  /** The status the run had when the event was made. */
  status: string;
}

/** A Logic App's report (POST /api/webhooks/playbooks): by runId, or by incident + playbook (Sentinel targets). */
export interface PlaybookRunReportPayload {
  runId?: string;
  incidentName?: string;
  playbookId?: string;
  status: 'running' | 'succeeded' | 'failed';
  message?: string;
  output?: unknown;
}

/** Ticket work for one incident: open its ticket, or bring the ticket in line with it. */
export interface TicketWorkPayload {
  incidentName: string;
  reason: 'policy' | 'manual' | 'incident' | 'retry';
  actor?: { aadObjectId?: string; name?: string; tenantId?: string };
}

/** A ticket changed in the ITSM (a ServiceNow business rule or Jira webhook told us). */
export interface TicketUpdatedPayload {
  provider: 'servicenow' | 'jira';
  /** ServiceNow sys_id or Jira issue id. */
  ticketId: string;
  number?: string;
  /** The ticket's state in Argus's words (new, in_progress, on_hold, resolved, closed, canceled), when reported. */
  status?: 'new' | 'in_progress' | 'on_hold' | 'resolved' | 'closed' | 'canceled';
  statusLabel?: string;
  /** Display name; null = unassigned; absent = not reported. */
  assignee?: string | null;
  /** A work note or comment added with this change. */
  note?: { text: string; author?: string };
  /** The Sentinel incident name in the ticket's correlation field. */
  correlationId?: string;
  /** Orders changes of one ticket (ServiceNow sys_mod_count, Jira webhook timestamp). */
  version: number;
  updatedAt?: string;
  /** What the ITSM called the change (servicenow.update, jira:issue_updated, comment_created…). */
  kind: string;
}

/**
 * Facts say what happened outside or inside Argus (past tense: `created`, `updated`, `received`,
 * `reported`, `changed`); commands are work Argus asked of itself, made durable so that it is
 * retried until done (`requested`, `deadline`). Who handles each is in src/app/handlers.ts.
 */
export interface ArgusEventMap {
  /** Fact (Sentinel webhook): a new incident, or a new version of one. */
  'sentinel.incident.created': SentinelIncidentPayload;
  'sentinel.incident.updated': SentinelIncidentPayload;
  /** Command (card action): write an engineer's change back to Sentinel. */
  'incident.writeback.requested': IncidentWritebackPayload;
  /** Fact (alerts webhook): a detection rule matched. */
  'alert.received': AlertReceivedPayload;
  /** Command (triage card, or a failed escalation handed over): make or join the alert's incident. */
  'alert.escalation.requested': AlertEscalationPayload;
  /** Command (policy, card action, sweep): open or update an incident's ticket. */
  'ticket.work.requested': TicketWorkPayload;
  /** Fact (ServiceNow/Jira webhook): a ticket changed in the ITSM. */
  'itsm.ticket.updated': TicketUpdatedPayload;
  /** Command (card action, approval): start a playbook run. */
  'playbook.run.requested': PlaybookRunRefPayload;
  /** Fact (Argus): a run changed status; its cards and approvers are told. */
  'playbook.run.changed': PlaybookRunRefPayload;
  /** Fact (playbook callback webhook): a Logic App reported on a run. */
  'playbook.run.reported': PlaybookRunReportPayload;
  /** Command (deadline sweep): check whether a run or approval timed out. */
  'playbook.run.deadline': PlaybookRunRefPayload;
  /** Command (card Investigate menu, `kql`): run a Log Analytics query and post its answer in Teams. */
  'query.run.requested': QueryRunPayload;
}

export type EventName = keyof ArgusEventMap;

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
  /**
   * Who delivered it, as authenticated (`signature:<secret>`, `entra:<object id>`): set for
   * events that came in through a webhook, whose receipt is audited (see ReceiptAudit).
   */
  deliveredBy?: string;
  payload: ArgusEventMap[N];
}

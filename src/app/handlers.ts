import { handle, type HandlerEntry } from '../events/router';
import type { Features } from './compose';

/**
 * The handler table: every event, and what runs on it, in order. Rows that match an event run top
 * to bottom; a row may rely on the rows above it having run (not on their success: every row runs,
 * and any failure retries the whole event, so each handler is idempotent). Event meanings are in
 * src/events/event-map.ts.
 */
export function handlerTable(f: Features): HandlerEntry[] {
  return [
    // A Sentinel incident version: store it and refresh its cards first…
    ...handle('sentinel.incident', 'incidents: store the version, refresh cards', f.incidents.handlers.ingestVersion),
    // …then the ticket policy and sync, which read the version just stored.
    ...handle('sentinel.incident', 'ticketing: follow the incident', f.ticketing.handlers?.followIncident),
    // A close as a false or benign positive overrules triage for the alerts the incident was made from.
    ...handle('sentinel.incident', 'triage: overrides from a closed escalation incident', f.escalation?.handlers.followSentinelClose),
    // The response state (phase, plan with its steps) is made once the incident is stored; the cards are refreshed with it.
    ...handle('sentinel.incident', 'response: attach the plan, follow a close outside Argus', f.response?.handlers.followIncident),
    // Escalation reads only the version in the event: start it, follow the severity, stop at the acknowledgement.
    ...handle('sentinel.incident', 'clocks: start, follow or stop the escalation', f.clocks?.handlers.followIncident),
    // Alerts of analytics rules deployed from Sigma rules join the rules' outcome history (argus rules stats).
    ...handle('sentinel.incident', 'detections: record Sentinel alerts of deployed Sigma rules', f.detections.handlers.recordSentinelAlerts),
    // Whoever reported it from Teams hears when it is acknowledged and when it is closed.
    ...handle('sentinel.incident', 'reporting: tell the reporter', f.reporting?.handlers.followIncident),

    // An engineer's change from a card: Sentinel first, then the ticket (which never fails the event).
    ...handle('incident.writeback.requested', 'incidents: write back to Sentinel', f.incidents.handlers.writeBack),
    ...handle('incident.writeback.requested', 'ticketing: follow the card change', f.ticketing.handlers?.followCardChange),
    ...handle('incident.writeback.requested', 'triage: overrides from a card close', f.escalation?.handlers.followCardClose),
    ...handle('incident.writeback.requested', 'reporting: tell the reporter', f.reporting?.handlers.followCardChange),

    ...handle('ticket.work.requested', 'ticketing: create or update the ticket', f.ticketing.handlers?.doWork),
    ...handle('itsm.ticket.updated', 'ticketing: apply the ITSM change', f.ticketing.handlers?.applyItsmChange),

    ...handle('playbook.run.requested', 'playbooks: trigger the run', f.playbooks.handlers.trigger),
    ...handle('playbook.run.changed', 'playbooks: tell cards and approvers', f.playbooks.handlers.notify),
    ...handle('playbook.run.changed', 'response: the plan step follows its run', f.response?.handlers.followRun),
    ...handle('playbook.run.reported', 'playbooks: apply the report', f.playbooks.handlers.applyReport),
    ...handle('playbook.run.deadline', 'playbooks: check the deadline', f.playbooks.handlers.checkDeadline),

    // An alert is recorded as fired first: triage then writes its decision on top of that record.
    ...handle('alert.received', 'detections: record the alert', f.detections.handlers.recordAlert),
    ...handle('alert.received', 'triage: score, decide, record, post the card', f.triage.handlers.decide),
    ...handle('alert.escalation.requested', 'triage: make or join the alert\'s incident', f.escalation?.handlers.escalate),

    ...handle('query.run.requested', 'queries: run on Log Analytics, post the answer', f.queries?.handlers.run),
  ];
}

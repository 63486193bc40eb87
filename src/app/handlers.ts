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

    // An engineer's change from a card: Sentinel first, then the ticket (which never fails the event).
    ...handle('incident.writeback.requested', 'incidents: write back to Sentinel', f.incidents.handlers.writeBack),
    ...handle('incident.writeback.requested', 'ticketing: follow the card change', f.ticketing.handlers?.followCardChange),

    ...handle('ticket.work.requested', 'ticketing: create or update the ticket', f.ticketing.handlers?.doWork),
    ...handle('itsm.ticket.updated', 'ticketing: apply the ITSM change', f.ticketing.handlers?.applyItsmChange),

    ...handle('playbook.run.requested', 'playbooks: trigger the run', f.playbooks.handlers.trigger),
    ...handle('playbook.run.changed', 'playbooks: tell cards and approvers', f.playbooks.handlers.notify),
    ...handle('playbook.run.reported', 'playbooks: apply the report', f.playbooks.handlers.applyReport),
    ...handle('playbook.run.deadline', 'playbooks: check the deadline', f.playbooks.handlers.checkDeadline),

    // An alert is recorded as fired first: triage then writes its decision on top of that record.
    ...handle('alert.received', 'detections: record the alert', f.detections.handlers.recordAlert),
    ...handle('alert.received', 'triage: score, decide, record, post the card', f.triage.handlers.decide),
  ];
}

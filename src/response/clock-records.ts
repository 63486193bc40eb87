import { computeDeadlines, findRule, reminderSchedule, type ClockOptions, type Regime, type ReminderKind } from './clock-rules';
import { claimTtlMs, isSendable, nextTry, owed, type OwedMessage } from './owed-message';

/**
 * A compliance clock as stored (table ArgusClocks, partition `clock`, one row per incident and
 * regime): when Argus was told of the obligation, each milestone's window, whether and how it was
 * met, and the reminders owed for it. Pure functions over it; the service does the storage.
 */

export interface ActorRef {
  aadObjectId?: string;
  name?: string;
}

export interface MilestoneState {
  milestone: string;
  startAt: string;
  dueAt: string;
  /** The notification was made: when, by whom, with the authority's reference. */
  met?: { at: string; by: string; byId?: string; reference?: string };
  /** Reminders by kind; a kind not listed is still owed. */
  reminders: Partial<Record<ReminderKind, OwedMessage>>;
}

export interface ClockRecord {
  incidentName: string;
  incidentNumber: number;
  regime: Regime;
  /** When the organisation became aware (or determined materiality / classified, see docs/response.md). */
  awareAt: string;
  /** Why awareAt is not the moment the clock was started, when it was entered by hand. */
  awareReason?: string;
  startedAt: string;
  startedBy: ActorRef;
  milestones: MilestoneState[];
}

export function clockKey(incidentName: string, regime: string): string {
  return `${incidentName}|${regime}`;
}

/** Works out every milestone's window again from the facts (awareness, milestones met), keeping what happened. */
export function withDeadlines(record: ClockRecord, options: ClockOptions): ClockRecord {
  const metAt: Record<string, Date> = {};
  for (const m of record.milestones) if (m.met) metAt[m.milestone] = new Date(m.met.at);
  const dues = computeDeadlines(record.regime, { awareAt: new Date(record.awareAt), metAt }, options);
  const milestones = dues.map((d): MilestoneState => {
    const known = record.milestones.find((m) => m.milestone === d.rule.milestone);
    return { milestone: d.rule.milestone, reminders: {}, ...known, startAt: d.startAt.toISOString(), dueAt: d.dueAt.toISOString() };
  });
  return { ...record, milestones };
}

export function newClock(
  incident: { name: string; number: number },
  regime: Regime,
  start: { awareAt: Date; awareReason?: string; by: ActorRef; now: Date },
  options: ClockOptions,
): ClockRecord {
  const record: ClockRecord = {
    incidentName: incident.name,
    incidentNumber: incident.number,
    regime,
    awareAt: start.awareAt.toISOString(),
    ...(start.awareReason ? { awareReason: start.awareReason } : {}),
    startedAt: start.now.toISOString(),
    startedBy: start.by,
    milestones: [],
  };
  return withDeadlines(record, options);
}

export type MilestoneStatus = 'open' | 'met' | 'overdue';

export function milestoneStatus(m: MilestoneState, now: number): MilestoneStatus {
  if (m.met) return 'met';
  return Date.parse(m.dueAt) < now ? 'overdue' : 'open';
}

function schedule(m: MilestoneState) {
  return reminderSchedule(new Date(m.startAt), new Date(m.dueAt));
}

export function reminderOf(m: MilestoneState, kind: ReminderKind): OwedMessage {
  return m.reminders[kind] ?? owed();
}

/** Epoch ms of the clock's next reminder work (0: none: every milestone met or reminded). */
export function nextClockAt(record: ClockRecord): number {
  let next = Number.POSITIVE_INFINITY;
  for (const m of record.milestones) {
    if (m.met) continue;
    for (const r of schedule(m)) {
      const state = reminderOf(m, r.kind);
      if (state.state === 'pending') next = Math.min(next, nextTry(state, r.at.getTime(), claimTtlMs));
    }
  }
  return Number.isFinite(next) ? Math.max(1, next) : 0;
}

/**
 * The reminder to send now for a milestone, and the earlier ones it supersedes: when several fell
 * due together (Argus was down, or the clock was started late), only the latest tells anything.
 */
export function dueReminders(m: MilestoneState, now: number): { send?: ReminderKind; skip: ReminderKind[] } {
  if (m.met) return { skip: [] };
  const due = schedule(m).filter((r) => r.at.getTime() <= now && reminderOf(m, r.kind).state === 'pending');
  const latest = due.at(-1);
  if (!latest) return { skip: [] };
  return {
    send: isSendable(reminderOf(m, latest.kind), now, claimTtlMs) ? latest.kind : undefined,
    skip: due.slice(0, -1).map((r) => r.kind),
  };
}

export function remindersSent(m: MilestoneState): number {
  return Object.values(m.reminders).filter((r) => r?.state === 'sent').length;
}

/** One line of `argus clocks list --json`. */
export interface ClockListRow {
  incident: number;
  regime: Regime;
  milestone: string;
  dueAt: string;
  status: MilestoneStatus;
  metAt?: string;
  remindersSent: number;
}

export function clockListRows(records: readonly ClockRecord[], now: number): ClockListRow[] {
  return records.flatMap((r) =>
    r.milestones.map((m) => ({
      incident: r.incidentNumber,
      regime: r.regime,
      milestone: m.milestone,
      dueAt: m.dueAt,
      status: milestoneStatus(m, now),
      ...(m.met ? { metAt: m.met.at } : {}),
      remindersSent: remindersSent(m),
    })),
  );
}

/** "GDPR Art. 33(1) — Notify the supervisory authority" */
export function milestoneLabel(regime: string, milestone: string): string {
  const rule = findRule(regime, milestone);
  return rule ? `${regime.toUpperCase()} · ${rule.title}` : `${regime.toUpperCase()} · ${milestone}`;
}

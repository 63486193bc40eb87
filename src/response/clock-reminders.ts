import type { AuditLog } from '../audit/audit-log';
import type { Logger } from '../logging/logger';
import { describeDuration } from '../playbooks/duration';
import type { PostedCard } from '../teams/card-outbox';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { findRule, type ReminderKind } from './clock-rules';
import { dueReminders, milestoneLabel, reminderOf, type ClockRecord, type MilestoneState } from './clock-records';
import type { DueRows } from './due-rows';
import { claimTtlMs, owed, sendOwed, type OwedMessage } from './owed-message';

/** What the clock sweep needs: the clocks, the incident's card threads, Teams, the audit trail. */
export interface ReminderDeps {
  rows: DueRows<ClockRecord>;
  cards: { cardsOf(incidentName: string): Promise<PostedCard[]> };
  delivery: Pick<TeamsDelivery, 'reply'>;
  audit: AuditLog;
  /** Re-renders the incident's cards (their "time left"). */
  refresh(incidentName: string): Promise<void>;
  /** This instance, for claims. */
  owner: string;
  now: () => number;
  logger: Logger;
}

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The reminder's text, plain (it goes to the thread as a plain-text message). */
export function reminderText(clock: Pick<ClockRecord, 'incidentNumber' | 'regime'>, m: Pick<MilestoneState, 'milestone' | 'dueAt'>, kind: ReminderKind, now: number): string {
  const due = Date.parse(m.dueAt);
  const label = milestoneLabel(clock.regime, m.milestone);
  const source = findRule(clock.regime, m.milestone)?.source;
  const head = `Incident #${clock.incidentNumber} · ${label}`;
  const tail = `${source ? ` Source: ${source}.` : ''} Record it with Done on the card once made.`;
  if (kind === 'overdue') return `⛔ ${head} is OVERDUE: it was due ${utc(due)}.${tail}`;
  const passed = { half: 'Half of the window has passed', 'eighty-percent': '80 % of the window has passed', 'hour-before': 'One hour left' }[kind];
  return `⏰ ${head}: ${passed}. Due ${utc(due)} (${describeDuration(Math.max(0, due - now))} left).${tail}`;
}

/** Sends the reminders due now, clock by clock; `holdLease` says whether to go on (false: another instance took over). */
export async function sweepClocks(deps: ReminderDeps, holdLease: () => Promise<boolean>): Promise<void> {
  for (const row of await deps.rows.due(deps.now())) {
    if (!(await holdLease())) return;
    try {
      await remindClock(deps, row.key);
    } catch (err) {
      deps.logger.warn({ err, clock: row.key }, 'a compliance clock reminder could not be handled; the next sweep tries again');
    }
  }
}

async function remindClock(deps: ReminderDeps, key: string): Promise<void> {
  const row = await deps.rows.get(key);
  if (!row) return;
  let sent = false;
  for (const m of row.value.milestones) {
    const { send, skip } = dueReminders(m, deps.now());
    if (skip.length > 0)
      await deps.rows.mutate(key, (clock) => {
        const target = clock.milestones.find((x) => x.milestone === m.milestone);
        if (!target) return undefined;
        for (const kind of skip) if (reminderOf(target, kind).state === 'pending') target.reminders[kind] = { ...owed(), state: 'skipped', doneAt: new Date(deps.now()).toISOString() };
        return clock;
      });
    if (send) sent = (await remindOnce(deps, key, row.value, m.milestone, send)) || sent;
  }
  if (sent) await deps.refresh(row.value.incidentName).catch((err: unknown) => deps.logger.warn({ err, clock: key }, 'could not refresh the incident card after a reminder'));
}

async function remindOnce(deps: ReminderDeps, key: string, clock: ClockRecord, milestone: string, kind: ReminderKind): Promise<boolean> {
  const slot = (record: ClockRecord): OwedMessage | undefined => {
    const m = record.milestones.find((x) => x.milestone === milestone);
    if (!m) return undefined;
    return (m.reminders[kind] ??= owed());
  };
  const outcome = await sendOwed<ClockRecord>({
    owner: deps.owner,
    now: deps.now,
    claimTtlMs,
    mutate: async (change) => (await deps.rows.mutate(key, (record) => (change(record) ? record : undefined)))?.value,
    slot,
    targets: async () => {
      const fresh = (await deps.rows.get(key))?.value.milestones.find((x) => x.milestone === milestone);
      if (!fresh || fresh.met) return 'cancelled';
      const text = reminderText(clock, fresh, kind, deps.now());
      return (await deps.cards.cardsOf(clock.incidentName)).map((card) => ({
        key: card.conversationId,
        send: async () => void (await deps.delivery.reply(card.conversationId, card.activityId, { text })),
      }));
    },
  });
  if (outcome.kind === 'not-mine' || outcome.kind === 'cancelled') return false;
  const base = { action: 'clock.reminder', target: clock.incidentName, actorName: 'Argus', correlationId: `clock|${key}|${milestone}|${kind}` };
  const detail = { regime: clock.regime, milestone, kind, incidentNumber: clock.incidentNumber };
  if (outcome.kind === 'sent') {
    await deps.audit.append({ ...base, outcome: 'succeeded', detail: { ...detail, conversations: outcome.targets } });
    return true;
  }
  deps.logger.warn({ err: outcome.error, clock: key, milestone, kind }, 'a compliance clock reminder could not be sent; will retry');
  await deps.audit.append({ ...base, outcome: 'failed', detail: { ...detail, error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error), sentTo: outcome.sentTo } });
  return false;
}

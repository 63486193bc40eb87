import { roleAtLeast } from '../access/roles';
import type { ClocksSectionView } from '../cards/clock-section';
import type { CardViewer } from '../incidents/card-publisher';
import { describeDuration } from '../playbooks/duration';
import { milestoneLabel, milestoneStatus, type ClockRecord } from './clock-records';

/**
 * What the incident card shows of the clocks for one viewer: every milestone with its due time and
 * the time left as of this render (cards are re-rendered with each reminder), Done for
 * responders and admins (the server checks each click again).
 */
export function clockSectionFor(records: readonly ClockRecord[], viewer: CardViewer, now: number): ClocksSectionView {
  const canAct = roleAtLeast(viewer.role, 'responder');
  const milestones = records.flatMap((clock) =>
    clock.milestones.map((m) => {
      const status = milestoneStatus(m, now);
      const due = Date.parse(m.dueAt);
      const window = due - Date.parse(m.startAt);
      const base = { regime: clock.regime, milestone: m.milestone, label: milestoneLabel(clock.regime, m.milestone), dueAt: m.dueAt };
      if (status === 'met') return { ...base, tone: 'met' as const, metAt: m.met!.at, detail: `by ${m.met!.by}${m.met!.reference ? ` · ref ${m.met!.reference}` : ''}` };
      if (status === 'overdue') return { ...base, tone: 'overdue' as const, detail: `overdue by ${describeDuration(now - due)}` };
      const left = due - now;
      return { ...base, tone: left < window * 0.2 ? ('soon' as const) : ('open' as const), detail: `${describeDuration(left)} left` };
    }),
  );
  return { milestones, canAct };
}

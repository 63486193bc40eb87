/**
 * Regulatory notification deadlines: which milestones each regime has, what each one counts from,
 * and how long it runs. Pure: the clock store and sweeper decide when to act on these.
 *
 * Sources (the windows as the texts give them; configurable per milestone for stricter targets):
 * - GDPR Art. 33(1): notify the supervisory authority without undue delay and, where feasible,
 *   not later than 72 hours after becoming aware of a personal data breach.
 * - NIS2 (Directive (EU) 2022/2555) Art. 23(4): early warning within 24 hours of becoming aware of a
 *   significant incident; incident notification within 72 hours; final report not later than one
 *   month after the incident notification.
 * - DORA (Regulation (EU) 2022/2554) Art. 19 with Delegated Regulation (EU) 2025/301 Art. 5(1): initial
 *   notification within 4 hours of classifying the incident as major and no later than 24 hours after
 *   becoming aware of it; intermediate report within 72 hours of the initial notification; final report
 *   within one month of the intermediate report.
 * - SEC Form 8-K Item 1.05 (17 CFR 229.106 / Form 8-K General Instruction B.1): within four business
 *   days after the registrant determines the cybersecurity incident is material.
 * - HIPAA Breach Notification Rule, 45 CFR 164.404(b): notify affected individuals without
 *   unreasonable delay and in no case later than 60 calendar days after discovery of the breach.
 */

export const regimes = ['gdpr', 'nis2', 'dora', 'sec', 'hipaa'] as const;
export type Regime = (typeof regimes)[number];

/** What a milestone's window counts from. */
export type ClockAnchor =
  | { kind: 'awareness' }
  /** DORA: classification of the incident as major (falls back to awareness until classified). */
  | { kind: 'classification' }
  /** SEC: the materiality determination (falls back to awareness until determined). */
  | { kind: 'determination' }
  /** Another milestone of the same clock: from when it was met, else from its own deadline. */
  | { kind: 'milestone'; milestone: string };

/** A window length: fixed (hours), calendar months, or business days (Mon–Fri, listed holidays skipped). */
export type ClockSpan = { unit: 'ms'; value: number } | { unit: 'months'; value: number } | { unit: 'business-days'; value: number };

export interface MilestoneRule {
  readonly regime: Regime;
  readonly milestone: string;
  readonly title: string;
  readonly source: string;
  readonly from: ClockAnchor;
  readonly span: ClockSpan;
  /** A second, absolute bound counted from awareness (DORA's "no later than 24 h after awareness"). */
  readonly capFromAwareness?: ClockSpan;
}

const hours = (n: number): ClockSpan => ({ unit: 'ms', value: n * 3_600_000 });

export const milestoneRules: readonly MilestoneRule[] = [
  { regime: 'gdpr', milestone: 'notification', title: 'Notify the supervisory authority', source: 'GDPR Art. 33(1)', from: { kind: 'awareness' }, span: hours(72) },
  { regime: 'nis2', milestone: 'early-warning', title: 'Early warning to the CSIRT / authority', source: 'NIS2 Art. 23(4)(a)', from: { kind: 'awareness' }, span: hours(24) },
  { regime: 'nis2', milestone: 'notification', title: 'Incident notification', source: 'NIS2 Art. 23(4)(b)', from: { kind: 'awareness' }, span: hours(72) },
  { regime: 'nis2', milestone: 'final-report', title: 'Final report', source: 'NIS2 Art. 23(4)(d)', from: { kind: 'milestone', milestone: 'notification' }, span: { unit: 'months', value: 1 } },
  { regime: 'dora', milestone: 'initial', title: 'Initial notification to the competent authority', source: 'DORA Art. 19(4); Delegated Regulation (EU) 2025/301 Art. 5(1)(a)', from: { kind: 'classification' }, span: hours(4), capFromAwareness: hours(24) },
  { regime: 'dora', milestone: 'intermediate', title: 'Intermediate report', source: 'DORA Art. 19(4); Delegated Regulation (EU) 2025/301 Art. 5(1)(b)', from: { kind: 'milestone', milestone: 'initial' }, span: hours(72) },
  { regime: 'dora', milestone: 'final', title: 'Final report', source: 'DORA Art. 19(4); Delegated Regulation (EU) 2025/301 Art. 5(1)(c)', from: { kind: 'milestone', milestone: 'intermediate' }, span: { unit: 'months', value: 1 } },
  { regime: 'sec', milestone: '8k', title: 'File Form 8-K Item 1.05', source: 'SEC Form 8-K Item 1.05, General Instruction B.1', from: { kind: 'determination' }, span: { unit: 'business-days', value: 4 } },
  { regime: 'hipaa', milestone: 'individuals', title: 'Notify affected individuals', source: '45 CFR 164.404(b)', from: { kind: 'awareness' }, span: hours(60 * 24) },
];

export function rulesFor(regime: Regime): MilestoneRule[] {
  return milestoneRules.filter((r) => r.regime === regime);
}

export function findRule(regime: string, milestone: string): MilestoneRule | undefined {
  return milestoneRules.find((r) => r.regime === regime && r.milestone === milestone);
}

const spanPattern = /^P(?!$)(?:(\d+)M)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * A configured window: an ISO-8601 duration (`PT48H`, `P30D`, `P1M`), or business days written
 * `4BD`. Months must stand alone (a month has no fixed length to add hours to).
 */
export function parseClockSpan(text: string): ClockSpan | undefined {
  const bd = /^(\d{1,3})BD$/.exec(text);
  if (bd) return { unit: 'business-days', value: Number(bd[1]) };
  const m = spanPattern.exec(text);
  if (!m) return undefined;
  const [, months, d = '0', h = '0', min = '0', s = '0'] = m;
  if (months !== undefined) {
    if (d !== '0' || h !== '0' || min !== '0' || s !== '0' || text.includes('T') || text.includes('D')) return undefined;
    return Number(months) > 0 ? { unit: 'months', value: Number(months) } : undefined;
  }
  const ms = ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000;
  return ms > 0 ? { unit: 'ms', value: ms } : undefined;
}

/** Adds calendar months in UTC, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb). */
function addMonths(from: Date, months: number): Date {
  const d = new Date(from.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * Business days after `from`: the deadline is the end (23:59:59.999 UTC) of the n-th weekday after the
 * starting day, skipping Saturdays, Sundays and `holidays` (YYYY-MM-DD).
 */
function addBusinessDays(from: Date, days: number, holidays: ReadonlySet<string>): Date {
  const d = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6 && !holidays.has(d.toISOString().slice(0, 10))) left -= 1;
  }
  return new Date(d.getTime() + 86_400_000 - 1);
}

export function addSpan(from: Date, span: ClockSpan, holidays: ReadonlySet<string> = new Set()): Date {
  if (span.unit === 'ms') return new Date(from.getTime() + span.value);
  if (span.unit === 'months') return addMonths(from, span.value);
  return addBusinessDays(from, span.value, holidays);
}

/** What a clock knows when its deadlines are computed. */
export interface ClockFacts {
  awareAt: Date;
  classifiedAt?: Date;
  determinedAt?: Date;
  /** When each milestone of this clock was met. */
  metAt?: Readonly<Record<string, Date>>;
}

export interface ClockOptions {
  /** Configured windows (`response.clocks.<regime>.<milestone>`), already parsed. */
  overrides?: Readonly<Record<string, ClockSpan>>;
  holidays?: ReadonlySet<string>;
}

export interface MilestoneDue {
  rule: MilestoneRule;
  startAt: Date;
  dueAt: Date;
}

/** Start and deadline of every milestone of `regime`, in order; later milestones chain on earlier ones. */
export function computeDeadlines(regime: Regime, facts: ClockFacts, options: ClockOptions = {}): MilestoneDue[] {
  const out: MilestoneDue[] = [];
  for (const rule of rulesFor(regime)) {
    const span = options.overrides?.[`${regime}.${rule.milestone}`] ?? rule.span;
    const startAt = anchorTime(rule.from, facts, out);
    let dueAt = addSpan(startAt, span, options.holidays);
    if (rule.capFromAwareness) {
      const cap = addSpan(facts.awareAt, rule.capFromAwareness, options.holidays);
      if (cap < dueAt) dueAt = cap;
    }
    out.push({ rule, startAt, dueAt });
  }
  return out;
}

function anchorTime(anchor: ClockAnchor, facts: ClockFacts, earlier: readonly MilestoneDue[]): Date {
  switch (anchor.kind) {
    case 'awareness':
      return facts.awareAt;
    case 'classification':
      return facts.classifiedAt ?? facts.awareAt;
    case 'determination':
      return facts.determinedAt ?? facts.awareAt;
    case 'milestone': {
      const met = facts.metAt?.[anchor.milestone];
      if (met) return met;
      const prior = earlier.find((e) => e.rule.milestone === anchor.milestone);
      if (!prior) throw new Error(`milestone ${anchor.milestone} must come before the ones counting from it`);
      return prior.dueAt;
    }
  }
}

export const reminderKinds = ['half', 'eighty-percent', 'hour-before', 'overdue'] as const;
export type ReminderKind = (typeof reminderKinds)[number];

export interface Reminder {
  kind: ReminderKind;
  at: Date;
}

/**
 * When to remind about one window: at 50 % and 80 % of it, one hour before the deadline (only for
 * windows longer than two hours, where that hour is a distinct moment), and once at the deadline,
 * when it is overdue.
 */
export function reminderSchedule(startAt: Date, dueAt: Date): Reminder[] {
  const start = startAt.getTime();
  const window = dueAt.getTime() - start;
  const out: Reminder[] = [];
  if (window > 0) {
    out.push({ kind: 'half', at: new Date(start + window * 0.5) });
    out.push({ kind: 'eighty-percent', at: new Date(start + window * 0.8) });
    if (window > 2 * 3_600_000) out.push({ kind: 'hour-before', at: new Date(dueAt.getTime() - 3_600_000) });
  }
  out.push({ kind: 'overdue', at: dueAt });
  return out;
}

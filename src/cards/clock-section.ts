import { atLevel } from './size-guard';
import { cardDateTime, plain, type TextColor } from './text';

/** One milestone of a compliance clock as the card shows it. */
export interface ClockMilestoneView {
  regime: string;
  milestone: string;
  /** "GDPR · Notify the supervisory authority" */
  label: string;
  dueAt: string;
  /** open: time left; soon: under a fifth of the window left; overdue; met. */
  tone: 'open' | 'soon' | 'overdue' | 'met';
  /** "41 h left", "overdue by 2 h", "made by Ana Silva · ref 2026-117". */
  detail: string;
  /** When it was met (for met milestones). */
  metAt?: string;
}

/** The compliance clocks on the incident card (drawn by section-clocks). */
export interface ClocksSectionView {
  milestones: ClockMilestoneView[];
  /** The viewer may record milestones as made and start clocks (responders). */
  canAct: boolean;
}

/** Exactly the fields section-clocks of cards/incident.json binds to; every one is always present. */
export interface ClockSectionData {
  enabled: boolean;
  hasRows: boolean;
  heading: string;
  rows: { label: string; due: string; color: TextColor; regime: string; milestone: string; canDone: boolean }[];
  reference: { enabled: boolean };
  more: { enabled: boolean; text: string };
  flag: { enabled: boolean };
}

/** Rows shown per size level: open milestones first, the rest summarised. */
const budgets = { rows: [8, 6, 4, 3, 2, 1], labelLength: [100, 80, 60, 50, 40, 32] } as const;

const colors: Record<ClockMilestoneView['tone'], TextColor> = { open: 'Default', soon: 'Warning', overdue: 'Attention', met: 'Good' };

export function buildClockSection(view: ClocksSectionView | undefined, level: number): ClockSectionData {
  const off: ClockSectionData = { enabled: false, hasRows: false, heading: '', rows: [], reference: { enabled: false }, more: { enabled: false, text: '' }, flag: { enabled: false } };
  if (!view || (view.milestones.length === 0 && !view.canAct)) return off;
  const rank = { overdue: 0, soon: 1, open: 2, met: 3 } as const;
  const ordered = [...view.milestones].sort((a, b) => rank[a.tone] - rank[b.tone] || a.dueAt.localeCompare(b.dueAt));
  const shown = ordered.slice(0, atLevel(budgets.rows, level));
  const length = atLevel(budgets.labelLength, level);
  const rows = shown.map((m) => ({
    label: plain(m.label, length),
    due: m.tone === 'met' ? `Made ${cardDateTime(m.metAt)} · ${plain(m.detail, length)}` : `Due ${cardDateTime(m.dueAt)} · ${plain(m.detail, 60)}`,
    color: colors[m.tone],
    regime: m.regime,
    milestone: m.milestone,
    canDone: view.canAct && m.tone !== 'met',
  }));
  const open = view.milestones.filter((m) => m.tone !== 'met').length;
  const hidden = view.milestones.length - rows.length;
  return {
    enabled: true,
    hasRows: rows.length > 0,
    heading: `⏱ Compliance clocks · ${open} open`,
    rows,
    reference: { enabled: rows.some((r) => r.canDone) },
    more: { enabled: hidden > 0, text: `+${hidden} more milestone(s): argus clocks list` },
    flag: { enabled: view.canAct },
  };
}

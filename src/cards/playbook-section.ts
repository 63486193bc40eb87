import { atLevel } from './size-guard';
import { actionRows, moreText, noticeColors, plain, type TextColor } from './text';
import type { PlaybooksSectionView } from './playbook-views';

/** Truncation budgets per size level (see incident-card-data.ts). */
const budgets = {
  offers: [15, 10, 10, 5, 5, 0],
  runs: [5, 4, 3, 2, 1, 1],
  labelLength: [60, 50, 40, 36, 30, 24],
  detailLength: [300, 200, 160, 120, 80, 60],
} as const;

/** Exactly the fields the `section-playbooks` block of cards/incident.json binds to. */
export interface PlaybookSectionData {
  enabled: boolean;
  heading: string;
  runs: { title: string; status: string; color: TextColor; detail: string }[];
  offerRows: { offers: { label: string; playbookId: string; entityId: string }[] }[];
  more: { enabled: boolean; text: string };
}

export function buildPlaybookSection(view: PlaybooksSectionView | undefined, level: number, incidentNumber: number): PlaybookSectionData {
  if (!view || (view.offers.length === 0 && view.runs.length === 0))
    return { enabled: false, heading: '', runs: [], offerRows: [], more: { enabled: false, text: '' } };
  const labelLength = atLevel(budgets.labelLength, level);
  const detailLength = atLevel(budgets.detailLength, level);
  const offers = view.offers.slice(0, atLevel(budgets.offers, level)).map((o) => ({
    label: plain(`${o.label}${o.needsApproval ? ' (approval)' : ''}`, labelLength),
    playbookId: o.playbookId,
    entityId: o.entityId ?? '',
  }));
  const offerRows: PlaybookSectionData['offerRows'] = actionRows(offers, (row) => ({ offers: row }));
  const hidden = view.offers.length - offers.length;
  const runs = view.runs.slice(0, atLevel(budgets.runs, level)).map((r) => ({
    title: plain(r.title, labelLength * 2),
    status: plain(r.status, labelLength * 2),
    color: noticeColors[r.tone],
    detail: plain(r.detail, detailLength),
  }));
  const olderRuns = view.runs.length - runs.length;
  const notes = [hidden > 0 ? `${moreText(hidden)} playbook actions: send "playbooks ${incidentNumber}"` : '', olderRuns > 0 ? `${olderRuns} older run(s) not shown` : '']
    .filter(Boolean)
    .join(' · ');
  return {
    enabled: true,
    heading: view.runs.length ? `Playbooks · ${view.runs.length} run(s)` : 'Playbooks',
    runs,
    offerRows,
    more: { enabled: notes !== '', text: notes },
  };
}

import { atLevel } from './size-guard';
import { cardDateTime, plain } from './text';

/** The incident's timeline as one viewer asked for it (drawn by section-timeline). */
export interface TimelineSectionView {
  /** ATT&CK tactics seen, in kill-chain order, with their techniques. */
  chain: { tactic: string; techniques: { id: string; name: string }[] }[];
  /** Every entry in time order; the card shows the latest few. */
  entries: { at: string; kind: string; title: string; actor?: string; tactic?: string; technique?: string; techniqueName?: string }[];
  incidentNumber: number;
}

/** Exactly the fields section-timeline of cards/incident.json binds to; every one is always present. */
export interface TimelineSectionData {
  enabled: boolean;
  heading: string;
  chainRows: { columns: { tactic: string; techniques: string }[] }[];
  hasEntries: boolean;
  entriesHeading: string;
  entries: { text: string }[];
  more: { enabled: boolean; text: string };
}

/** Truncation budgets per size level (see incident-card-data.ts). */
const budgets = {
  entries: [10, 8, 6, 4, 3, 2],
  titleLength: [140, 110, 90, 70, 50, 40],
  techniquesPerTactic: [4, 3, 3, 2, 1, 1],
} as const;
/** Tactic columns per row: Teams gives each column too little room beyond four. */
const columnsPerRow = 4;

const off: TimelineSectionData = { enabled: false, heading: '', chainRows: [], hasEntries: false, entriesHeading: '', entries: [], more: { enabled: false, text: '' } };

function entryText(e: TimelineSectionView['entries'][number], length: number): string {
  const attack = plain(e.technique ? `${e.tactic ? `${e.tactic} / ` : ''}${e.technique} ${e.techniqueName ?? ''}` : e.tactic, 120);
  return [cardDateTime(e.at), plain(e.title, length), plain(e.actor, 60), attack].filter(Boolean).join(' · ');
}

export function buildTimelineSection(view: TimelineSectionView | undefined, level: number): TimelineSectionData {
  if (!view) return off;
  const perTactic = atLevel(budgets.techniquesPerTactic, level);
  const columns = view.chain.map((c) => {
    const shown = c.techniques.slice(0, perTactic).map((t) => `${t.id} ${plain(t.name, 60)}`);
    const hidden = c.techniques.length - shown.length;
    return { tactic: plain(c.tactic, 40), techniques: [...shown, ...(hidden > 0 ? [`+${hidden} more`] : [])].join('\n\n') || '—' };
  });
  const chainRows: TimelineSectionData['chainRows'] = [];
  for (let i = 0; i < columns.length; i += columnsPerRow) chainRows.push({ columns: columns.slice(i, i + columnsPerRow) });
  const latest = view.entries.slice(-atLevel(budgets.entries, level));
  const hidden = view.entries.length - latest.length;
  const length = atLevel(budgets.titleLength, level);
  return {
    enabled: true,
    heading: view.chain.length ? `🧭 ATT&CK chain · ${view.chain.length} tactic(s)` : '🧭 ATT&CK chain · no tactic or technique known',
    chainRows,
    hasEntries: latest.length > 0,
    entriesHeading: `Timeline · latest ${latest.length} of ${view.entries.length}`,
    entries: latest.map((e) => ({ text: entryText(e, length) })),
    more: { enabled: hidden > 0, text: `${hidden} earlier entr${hidden === 1 ? 'y' : 'ies'}: argus incident timeline ${view.incidentNumber}` },
  };
}

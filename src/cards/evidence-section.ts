import { atLevel } from './size-guard';
import { plain } from './text';

/** The incident's evidence as the card shows it (drawn by section-evidence). */
export interface EvidenceSectionView {
  /** Newest first; the card shows the latest few and counts the rest. */
  items: { filename: string; sha256: string; custodian: string }[];
  /** Whether the viewer may register evidence (responders): shows the Add evidence form. */
  canAdd: boolean;
}

/** Exactly the fields section-evidence of cards/incident.json binds to; every one is always present. */
export interface EvidenceSectionData {
  enabled: boolean;
  heading: string;
  items: { text: string }[];
  more: { enabled: boolean; text: string };
  add: { enabled: boolean };
}

/** Truncation budgets per size level (see incident-card-data.ts). */
const budgets = {
  items: [6, 5, 4, 3, 2, 1],
  nameLength: [80, 60, 48, 40, 32, 24],
  custodianLength: [60, 48, 40, 32, 24, 20],
} as const;

/** Enough of a SHA-256 to tell items apart at a glance; the full hash is in `argus evidence show`. */
const shortHash = (sha256: string) => sha256.slice(0, 12);

export function buildEvidenceSection(view: EvidenceSectionView | undefined, level: number, incidentNumber: number): EvidenceSectionData {
  if (!view || (view.items.length === 0 && !view.canAdd))
    return { enabled: false, heading: '', items: [], more: { enabled: false, text: '' }, add: { enabled: false } };
  const shown = view.items.slice(0, atLevel(budgets.items, level));
  const items = shown.map((i) => ({
    text: `${plain(i.filename, atLevel(budgets.nameLength, level))} · ${shortHash(i.sha256)} · ${plain(i.custodian, atLevel(budgets.custodianLength, level))}`,
  }));
  const hidden = view.items.length - shown.length;
  return {
    enabled: true,
    heading: view.items.length ? `🧾 Evidence · ${view.items.length} item(s)` : '🧾 Evidence · none registered',
    items,
    more: { enabled: hidden > 0, text: hidden > 0 ? `${hidden} older item(s) not shown: argus evidence list --incident ${incidentNumber}` : '' },
    add: { enabled: view.canAdd },
  };
}

import type { EntityFact } from './entity-groups';
import { atLevel } from './size-guard';
import { plain } from './text';
import type { TicketSectionView } from './ticket-views';
import type { NoticeStyle } from './views';
import { safeLinkTarget } from './incident-card-data';

const budgets = { textLength: [400, 300, 200, 120] } as const;

/** Exactly the fields section-ticket of cards/incident.json binds to; every one is always present. */
export interface TicketSectionData {
  enabled: boolean;
  heading: string;
  hasFacts: boolean;
  facts: EntityFact[];
  detail: { enabled: boolean; text: string; style: NoticeStyle };
  actions: { enabled: boolean };
  link: { enabled: boolean; url: string; title: string };
  create: { enabled: boolean; title: string };
}

const stateHeadings: Record<TicketSectionView['state'], string> = {
  none: 'No ticket',
  pending: 'Ticket pending',
  linked: 'Ticket',
  failed: 'Ticket not opened',
};

export function buildTicketSection(view: TicketSectionView | undefined, level: number): TicketSectionData {
  if (!view)
    return {
      enabled: false,
      heading: '',
      hasFacts: false,
      facts: [],
      detail: { enabled: false, text: '', style: 'default' },
      actions: { enabled: false },
      link: { enabled: false, url: '', title: '' },
      create: { enabled: false, title: '' },
    };
  const length = atLevel(budgets.textLength, level);
  const facts: EntityFact[] = [];
  if (view.number) facts.push({ title: 'Number', value: plain(view.number, 40) });
  if (view.statusLabel) facts.push({ title: 'Status', value: plain(view.statusLabel, 60) });
  if (view.state === 'linked') facts.push({ title: 'Assignee', value: plain(view.assignee, 80) || 'Unassigned' });
  const url = safeLinkTarget(view.url);
  const detail = plain(view.detail?.text, length);
  const canLink = url !== undefined && view.state === 'linked';
  return {
    enabled: true,
    heading: `🎫 ${stateHeadings[view.state]} · ${plain(view.provider, 60)}`,
    hasFacts: facts.length > 0,
    facts,
    detail: { enabled: detail !== '', text: detail, style: view.detail?.style ?? 'default' },
    actions: { enabled: canLink || view.canCreate },
    link: { enabled: canLink, url: url ?? '', title: `Open ${plain(view.number, 40)}` },
    create: { enabled: view.canCreate, title: view.state === 'failed' ? 'Retry ticket' : 'Create ticket' },
  };
}

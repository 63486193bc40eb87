import { atLevel } from './size-guard';
import { actionRows, moreText, plain } from './text';

/** Truncation budgets per size level (see incident-card-data.ts). */
const budgets = {
  menus: [8, 6, 5, 4, 3, 2],
  queriesPerMenu: [10, 8, 5, 4, 3, 2],
  nameLength: [40, 32, 28, 24, 20, 16],
  labelLength: [60, 50, 44, 40, 36, 30],
} as const;

/** The Investigate menus of the incident card: one per entity with queries that fit it (drawn by section-investigate). */
export interface InvestigateSectionView {
  menus: Array<{
    /** The entity's name as people read it. */
    entityName: string;
    /** What `query.run` carries as `entityId` (the server finds the entity by it and checks everything again). */
    entityRef: string;
    queries: Array<{ queryId: string; label: string }>;
  }>;
}

type QueryButton = { label: string; queryId: string; entityRef: string };

/** Exactly the fields the `section-investigate` block of cards/incident.json binds to. */
export interface InvestigateSectionData {
  enabled: boolean;
  menuRows: Array<{ menus: Array<{ title: string; queryRows: Array<{ queries: QueryButton[] }> }> }>;
  more: { enabled: boolean; text: string };
}

export function buildInvestigateSection(view: InvestigateSectionView | undefined, level: number): InvestigateSectionData {
  const menus = view?.menus.filter((m) => m.queries.length > 0) ?? [];
  if (menus.length === 0) return { enabled: false, menuRows: [], more: { enabled: false, text: '' } };
  const shown = menus.slice(0, atLevel(budgets.menus, level));
  const perMenu = atLevel(budgets.queriesPerMenu, level);
  const nameLength = atLevel(budgets.nameLength, level);
  const labelLength = atLevel(budgets.labelLength, level);
  const built = shown.map((m) => ({
    title: `Investigate ${plain(m.entityName, nameLength) || 'entity'}`,
    queryRows: actionRows(
      m.queries.slice(0, perMenu).map((q) => ({ label: plain(q.label, labelLength), queryId: q.queryId, entityRef: m.entityRef })),
      (queries) => ({ queries }),
    ),
  }));
  const hiddenMenus = menus.length - shown.length;
  const hiddenQueries = shown.reduce((n, m) => n + Math.max(0, m.queries.length - perMenu), 0);
  const notes = [hiddenMenus > 0 ? `${moreText(hiddenMenus)} entities with queries` : '', hiddenQueries > 0 ? `${moreText(hiddenQueries)} queries` : '']
    .filter(Boolean)
    .join(' · ');
  return {
    enabled: true,
    menuRows: actionRows(built, (chunk) => ({ menus: chunk })),
    more: { enabled: notes !== '', text: notes ? `${notes} not shown (the card is full)` : '' },
  };
}

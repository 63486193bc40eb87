import listTemplate from '../../cards/incident-list.json';
import { ownerName } from './incident-card-data';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { moreText, plain, severityColors, type TextColor } from './text';
import type { AdaptiveCardJson, IncidentListCardView, RenderOptions } from './views';

/** Rows shown per size level: ~25 fit a Teams card comfortably; fewer only when titles are huge. */
const budgets = {
  rows: [25, 20, 15, 10, 5, 3],
  titleLength: [160, 120, 100, 80, 60, 40],
  titleLimit: [200, 160, 120, 100, 80, 60],
} as const;

interface ListRow {
  incidentId: string;
  number: string;
  severity: string;
  severityColor: TextColor;
  title: string;
  detail: string;
}

interface ListCardData {
  fallbackText: string;
  title: string;
  summary: string;
  rows: ListRow[];
  more: { enabled: boolean; text: string };
}

const expand = createCardTemplate<ListCardData>(listTemplate);

function buildData(view: IncidentListCardView, level: number): ListCardData {
  const titleLength = atLevel(budgets.titleLength, level);
  const shown = view.incidents.slice(0, atLevel(budgets.rows, level));
  const total = Math.max(view.total, view.incidents.length);
  const hidden = total - shown.length;
  const title = plain(view.title, atLevel(budgets.titleLimit, level)) || 'Incidents';
  const rows = shown.map((incident) => ({
    incidentId: incident.name,
    number: String(incident.number),
    severity: incident.severity,
    severityColor: severityColors[incident.severity],
    title: plain(incident.title, titleLength) || '(untitled incident)',
    detail: `${incident.status} · ${plain(ownerName(incident.owner), 60) || 'Unassigned'}`,
  }));
  return {
    fallbackText: `${title}: ${total} incident${total === 1 ? '' : 's'}`,
    title,
    summary: total === 0 ? 'No incidents match.' : `Showing ${shown.length} of ${total}. Select a row to open its card.`,
    rows,
    more: { enabled: hidden > 0, text: moreText(hidden) },
  };
}

/** A compact list: number, severity, title, status and owner; each row opens the incident (`incident.view`). */
export function renderIncidentListCard(view: IncidentListCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard((level) => expand(buildData(view, level)), {
    card: 'incident list',
    levels: budgets.rows.length,
    maxBytes: options.maxBytes,
  });
}

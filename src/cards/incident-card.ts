import incidentTemplate from '../../cards/incident.json';
import { buildIncidentCardData, INCIDENT_CARD_LEVELS, type IncidentCardData } from './incident-card-data';
import { fitCard } from './size-guard';
import { createCardTemplate } from './template';
import type { AdaptiveCardJson, IncidentCardView, RenderOptions } from './views';

const expand = createCardTemplate<IncidentCardData>(incidentTemplate);

/**
 * The live incident card. cards/incident.json is a list of independent sections (top-level body
 * items with `id: section-*`, each with its own `$when` and its own slice of IncidentCardData);
 * a new feature adds an optional view field, a data slice and one section, touching nothing else.
 */
export function renderIncidentCard(view: IncidentCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard((level) => expand(buildIncidentCardData(view, level)), {
    card: 'incident',
    levels: INCIDENT_CARD_LEVELS,
    maxBytes: options.maxBytes,
  });
}

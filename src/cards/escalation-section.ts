import type { EntityFact } from './entity-groups';
import { atLevel } from './size-guard';
import { cardDateTime, moreText, plain } from './text';

/** The alerts an incident was made from by triage's escalation (section-escalation). */
export interface EscalatedAlertsView {
  /** How many alerts joined the incident in all. */
  total: number;
  /** The latest of them, oldest first. */
  alerts: Array<{ title: string; ruleId: string; host?: string; detectedAt: string; score: number }>;
}

/** Exactly the fields section-escalation of cards/incident.json binds to; every one is always present. */
export interface EscalationSectionData {
  enabled: boolean;
  heading: string;
  facts: EntityFact[];
  more: { enabled: boolean; text: string };
}

const budgets = { alerts: [10, 6, 4, 3, 2, 1], titleLength: [120, 100, 80, 60, 48, 32] } as const;

export function buildEscalationSection(view: EscalatedAlertsView | undefined, level: number): EscalationSectionData {
  if (!view || view.total === 0) return { enabled: false, heading: '', facts: [], more: { enabled: false, text: '' } };
  const shown = view.alerts.slice(-atLevel(budgets.alerts, level));
  const length = atLevel(budgets.titleLength, level);
  const facts = shown.map((a) => ({
    title: `Score ${Number(a.score.toFixed(3))}`,
    value: `${plain(a.title, length)} · ${plain(a.host, 60) || 'no host'} · ${cardDateTime(a.detectedAt)}`,
  }));
  const rest = view.total - shown.length;
  return {
    enabled: true,
    heading: `Escalated alerts (${view.total}) · rule ${plain(shown[0]?.ruleId, 80)}`,
    facts,
    more: { enabled: rest > 0, text: moreText(rest) },
  };
}

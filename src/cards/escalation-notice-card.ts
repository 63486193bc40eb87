import escalationTemplate from '../../cards/escalation-notice.json';
import { fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { plain } from './text';
import type { AdaptiveCardJson } from './views';

/** An unacknowledged incident's escalation message: who is called on, and the Acknowledge button. */
export interface EscalationCardView {
  incidentId: string;
  incidentNumber: number;
  severity: string;
  title: string;
  /** How long the incident has waited, e.g. "15 min". */
  waited: string;
  /** People to @mention (Entra object ids; Teams notifies them), with the name shown. */
  mentions: { id: string; name: string }[];
  step: number;
  steps: number;
}

interface EscalationCardData {
  fallbackText: string;
  incidentId: string;
  heading: string;
  title: string;
  hasMentions: boolean;
  mentionLine: string;
  mentions: { text: string; id: string; name: string }[];
  footer: string;
}

const expand = createCardTemplate<EscalationCardData>(escalationTemplate);

/** A name for `<at>…</at>`: one line, without the characters that would end the tag or make markup. */
function mentionName(name: string, index: number): string {
  return plain(name.replace(/[<>[\]()&]/g, ''), 60) || `on-call ${index + 1}`;
}

export function renderEscalationCard(view: EscalationCardView): AdaptiveCardJson {
  const levels = [200, 120, 60];
  return fitCard(
    (level) => {
      const names = new Set<string>();
      const mentions = view.mentions.slice(0, 20).map((m, i) => {
        let name = mentionName(m.name, i);
        if (names.has(name)) name = `${name} (${i + 1})`;
        names.add(name);
        return { text: `<at>${name}</at>`, id: m.id, name };
      });
      const heading = `🚨 Incident #${view.incidentNumber} (${view.severity}) is not acknowledged after ${view.waited}`;
      return expand({
        fallbackText: heading,
        incidentId: view.incidentId,
        heading,
        title: plain(view.title, levels[level] ?? 60) || '(untitled incident)',
        hasMentions: mentions.length > 0,
        mentionLine: `${mentions.map((m) => m.text).join(', ')}: please acknowledge it.`,
        mentions,
        footer: `Escalation step ${view.step} of ${view.steps} · it stops once someone acknowledges the incident.`,
      });
    },
    { card: 'escalation-notice', levels: levels.length },
  );
}

import type { FileConfig } from '../config/file-schema';
import type { Incident } from './incident';
import type { Subscription } from './subscription-store';

/**
 * Which conversations get an incident's card: config rules that match, channels subscribed for
 * its severity, and the default when nothing else matched.
 */
export function routeIncident(incident: Incident, routing: FileConfig['routing'], subscriptions: Subscription[]): string[] {
  const targets = new Set<string>();
  for (const rule of routing.rules) {
    const m = rule.match;
    if (m.severity && !m.severity.includes(incident.severity)) continue;
    if (m.tactics && !m.tactics.some((t) => incident.tactics.includes(t))) continue;
    if (m.labels && !m.labels.some((l) => incident.labels.includes(l))) continue;
    targets.add(rule.conversationId);
  }
  for (const sub of subscriptions) {
    if (sub.severities.length === 0 || sub.severities.includes(incident.severity)) targets.add(sub.conversationId);
  }
  if (targets.size === 0 && routing.default) targets.add(routing.default);
  return [...targets];
}

/** Every conversation routing may send a card to: its rules' and default conversations, then the subscribed ones. */
export function routedConversations(routing: FileConfig['routing'], subscriptions: Subscription[]): string[] {
  const ids = new Set([...routing.rules.map((r) => r.conversationId), ...(routing.default ? [routing.default] : [])]);
  for (const sub of subscriptions) ids.add(sub.conversationId);
  return [...ids];
}

import { attackTactics, findTactic, findTechnique, isTechniqueId } from './attack';

/**
 * The incident's story in time order, assembled from what Argus holds: alerts, entities, actions
 * (from the audit trail), comments, ITSM changes, playbook runs, evidence, phase changes and
 * clocks. Each entry names an ATT&CK tactic and technique where the data says so.
 */

export const timelineKinds = ['alert', 'entity', 'action', 'comment', 'ticket', 'playbook', 'evidence', 'phase', 'clock'] as const;
export type TimelineKind = (typeof timelineKinds)[number];

export interface TimelineEntry {
  at: string;
  kind: TimelineKind;
  title: string;
  actor?: string;
  tactic?: string;
  technique?: string;
  techniqueName?: string;
}

export interface TimelineAlert {
  id: string;
  displayName: string;
  productName?: string;
  firstSeen?: string;
  lastSeen?: string;
  tactics: readonly string[];
  techniques: readonly string[];
  /** Sigma-style tags (`attack.t1059.001`, `attack.execution`) from in-process detections. */
  tags?: readonly string[];
}

/** Anything else that happened, already in words. */
export interface TimelineEvent {
  at: string;
  kind: Exclude<TimelineKind, 'alert'>;
  title: string;
  actor?: string;
  /** Technique or tactic hints (ids, Sigma tags), when the source carries them. */
  attack?: readonly string[];
}

export interface AttackMapping {
  tactic?: string;
  technique?: string;
  techniqueName?: string;
}

/**
 * The tactic and technique that hints name: the first known technique, with the first tactic that is
 * either listed too or, failing that, the technique's own first tactic. Unknown ids name nothing.
 */
export function mapAttack(hints: readonly string[]): AttackMapping {
  const techniques = hints.filter(isTechniqueId).map(findTechnique).filter((t) => t !== undefined);
  const tactics = hints.filter((h) => !isTechniqueId(h)).map(findTactic).filter((t) => t !== undefined);
  const technique = techniques[0];
  const tactic = (technique && tactics.find((t) => technique.tactics.includes(t.shortName))) ?? tactics[0];
  const tacticName = tactic?.name ?? (technique?.tactics[0] ? findTactic(technique.tactics[0])?.name : undefined);
  return {
    ...(tacticName ? { tactic: tacticName } : {}),
    ...(technique ? { technique: technique.id, techniqueName: technique.name } : {}),
  };
}

function alertEntries(alert: TimelineAlert): TimelineEntry[] {
  const hints = [...alert.techniques, ...alert.tactics, ...(alert.tags ?? [])];
  const mapping = mapAttack(hints);
  const product = alert.productName ? ` (${alert.productName})` : '';
  const out: TimelineEntry[] = [];
  if (alert.firstSeen) out.push({ at: alert.firstSeen, kind: 'alert', title: `Alert: ${alert.displayName}${product}`, ...mapping });
  if (alert.lastSeen && alert.lastSeen !== alert.firstSeen)
    out.push({ at: alert.lastSeen, kind: 'alert', title: `Last seen: ${alert.displayName}${product}`, ...mapping });
  return out;
}

const order = new Map<TimelineKind, number>(timelineKinds.map((k, i) => [k, i]));

/** Every entry in time order; at the same instant alerts come first, then entities, then the rest. */
export function buildTimeline(alerts: readonly TimelineAlert[], events: readonly TimelineEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = alerts.flatMap(alertEntries);
  for (const e of events) {
    const { attack, ...rest } = e;
    entries.push({ ...rest, ...(attack?.length ? mapAttack(attack) : {}) });
  }
  const valid = entries.filter((e) => !Number.isNaN(Date.parse(e.at)));
  return valid.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (order.get(a.kind) ?? 0) - (order.get(b.kind) ?? 0));
}

export interface AttackColumn {
  tactic: string;
  techniques: Array<{ id: string; name: string }>;
}

/** The ATT&CK chain for the card: one column per tactic seen, in kill-chain order, techniques once each. */
export function attackChain(alerts: readonly TimelineAlert[]): AttackColumn[] {
  const byTactic = new Map<string, Map<string, string>>();
  const add = (tactic: string, technique?: { id: string; name: string }) => {
    const t = findTactic(tactic);
    if (!t) return;
    const column = byTactic.get(t.shortName) ?? new Map<string, string>();
    if (technique) column.set(technique.id, technique.name);
    byTactic.set(t.shortName, column);
  };
  for (const alert of alerts) {
    const hints = [...alert.techniques, ...alert.tactics, ...(alert.tags ?? [])];
    const listedTactics = hints.filter((h) => !isTechniqueId(h));
    for (const tactic of listedTactics) add(tactic);
    for (const technique of hints.filter(isTechniqueId).map(findTechnique)) {
      if (!technique) continue;
      const listed = technique.tactics.filter((t) => listedTactics.some((l) => findTactic(l)?.shortName === t));
      for (const tactic of listed.length ? listed : technique.tactics.slice(0, 1)) add(tactic, technique);
    }
  }
  return attackTactics()
    .filter((t) => byTactic.has(t.shortName))
    .map((t) => ({
      tactic: t.name,
      techniques: [...(byTactic.get(t.shortName) ?? new Map<string, string>())].map(([id, name]) => ({ id, name })).sort((a, b) => a.id.localeCompare(b.id)),
    }));
}

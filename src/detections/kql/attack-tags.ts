import type { SigmaLevel } from '../sigma-rule';

/**
 * A Sigma rule's ATT&CK tags and level in Sentinel's terms: tactics from the AttackTactic enum of
 * the alertRules API (2024-09-01), techniques as `T1234` (the API takes no sub-techniques), and
 * the alert severity (Sentinel has no Critical).
 */

const tactics: Record<string, string> = {
  reconnaissance: 'Reconnaissance',
  'resource-development': 'ResourceDevelopment',
  'initial-access': 'InitialAccess',
  execution: 'Execution',
  persistence: 'Persistence',
  'privilege-escalation': 'PrivilegeEscalation',
  'defense-evasion': 'DefenseEvasion',
  // ATT&CK v18 split Defense Evasion into Stealth and Defense Impairment; Sentinel still has one.
  stealth: 'DefenseEvasion',
  'defense-impairment': 'DefenseEvasion',
  'credential-access': 'CredentialAccess',
  discovery: 'Discovery',
  'lateral-movement': 'LateralMovement',
  collection: 'Collection',
  exfiltration: 'Exfiltration',
  'command-and-control': 'CommandAndControl',
  impact: 'Impact',
  'inhibit-response-function': 'InhibitResponseFunction',
  'impair-process-control': 'ImpairProcessControl',
};

export type SentinelSeverity = 'High' | 'Medium' | 'Low' | 'Informational';

const severities: Record<SigmaLevel, SentinelSeverity> = {
  informational: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'High',
};

export function sentinelSeverity(level: SigmaLevel): SentinelSeverity {
  return severities[level];
}

/** `attack.defense_evasion`, `attack.t1059.001`, … → Sentinel tactics and parent techniques, in tag order. */
export function attackOf(tags: readonly string[]): { tactics: string[]; techniques: string[] } {
  const outTactics = new Set<string>();
  const outTechniques = new Set<string>();
  for (const tag of tags) {
    const m = /^attack\.(.+)$/i.exec(tag.trim());
    if (!m) continue;
    const name = (m[1] as string).toLowerCase().replace(/_/g, '-');
    const technique = /^t(\d{4})(?:\.\d{3})?$/.exec(name);
    if (technique) outTechniques.add(`T${technique[1]}`);
    else if (tactics[name]) outTactics.add(tactics[name]);
  }
  return { tactics: [...outTactics], techniques: [...outTechniques] };
}

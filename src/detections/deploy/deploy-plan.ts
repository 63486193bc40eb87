import { isDeepStrictEqual } from 'node:util';
import { describedRuleId } from '../sentinel-rule-id';
import type { AlertRuleBody, DesiredRule } from './alert-rule-body';
import type { AlertRuleResource } from './alert-rules-client';
import { alertRuleGuid } from './rule-guid';

/**
 * What a deploy does, worked out before anything is written: each repository rule is created,
 * updated (naming the properties that differ) or left unchanged; each analytics rule Argus
 * deployed for a Sigma rule that is no longer in the repository is an orphan (deleted by --prune).
 */

export type PlanAction = 'create' | 'update' | 'unchanged' | 'delete' | 'skip';

export interface PlanEntry {
  action: PlanAction;
  ruleId: string;
  title?: string;
  /** The analytics rule (GUID); null for a rule that is skipped before it has one. */
  alertRuleId: string | null;
  /** Properties that differ from what is deployed (update). */
  changed?: string[];
  /** Why a rule is skipped. */
  reason?: string;
  body?: AlertRuleBody;
}

/** Array properties whose order Sentinel does not keep meaningful. */
const unordered = new Set(['tactics', 'techniques']);

/** True when everything `want` says is in `have` (extra keys Sentinel adds do not count). */
function covers(want: unknown, have: unknown): boolean {
  if (Array.isArray(want)) return Array.isArray(have) && want.length === have.length && want.every((w, i) => covers(w, have[i]));
  if (typeof want === 'object' && want !== null) {
    if (typeof have !== 'object' || have === null) return false;
    return Object.entries(want).every(([k, v]) => covers(v, (have as Record<string, unknown>)[k]));
  }
  return isDeepStrictEqual(want, have);
}

function sortedIfUnordered(key: string, v: unknown): unknown {
  return unordered.has(key) && Array.isArray(v) ? [...v].map(String).sort() : v;
}

/** The properties of a deployed rule that differ from the repository's. */
export function differences(desired: AlertRuleBody, deployed: AlertRuleResource): string[] {
  const out: string[] = [];
  if (deployed.kind !== desired.kind) out.push('kind');
  for (const [key, want] of Object.entries(desired.properties)) {
    if (!covers(sortedIfUnordered(key, want), sortedIfUnordered(key, deployed.properties[key]))) out.push(key);
  }
  return out;
}

/** The Sigma rule id of an analytics rule Argus deployed (description and GUID agree), else undefined. */
export function argusRuleIdOf(resource: AlertRuleResource): string | undefined {
  const id = describedRuleId(resource.properties.description);
  return id !== undefined && alertRuleGuid(id) === resource.name.toLowerCase() ? id : undefined;
}

export interface PlanInput {
  desired: DesiredRule[];
  skipped: { ruleId: string; title: string; reason: string }[];
  deployed: AlertRuleResource[];
  /** Every rule id in the repository, deployable or not: only rules absent from it are orphans. */
  repositoryRuleIds: ReadonlySet<string>;
}

export function planDeploy(input: PlanInput): PlanEntry[] {
  const byName = new Map(input.deployed.map((r) => [r.name.toLowerCase(), r]));
  const entries: PlanEntry[] = input.skipped.map((s) => ({ action: 'skip', ruleId: s.ruleId, title: s.title, alertRuleId: null, reason: s.reason }));
  for (const d of input.desired) {
    const current = byName.get(d.name);
    const base = { ruleId: d.ruleId, title: d.title, alertRuleId: d.name };
    if (!current) entries.push({ ...base, action: 'create', body: d.body });
    else {
      const changed = differences(d.body, current);
      // The etag makes Sentinel refuse the PUT if someone edits the rule in between.
      if (changed.length) entries.push({ ...base, action: 'update', changed, body: { ...d.body, ...(current.etag ? { etag: current.etag } : {}) } });
      else entries.push({ ...base, action: 'unchanged' });
    }
  }
  for (const r of input.deployed) {
    const ruleId = argusRuleIdOf(r);
    if (ruleId !== undefined && !input.repositoryRuleIds.has(ruleId)) {
      const title = typeof r.properties.displayName === 'string' ? r.properties.displayName : undefined;
      entries.push({ action: 'delete', ruleId, ...(title ? { title } : {}), alertRuleId: r.name });
    }
  }
  return entries;
}

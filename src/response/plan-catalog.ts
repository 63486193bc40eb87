import { invalidDefinition, parseYamlDefinition, readYamlFolder, uniqueIds } from '../config/yaml-definitions';
import type { Incident } from '../incidents/incident';
import type { Logger } from '../logging/logger';
import { findTactic } from './attack';
import { planSchema, type PlanDefinition } from './plan-schema';

/** What a plan needs to know of a playbook it names. */
export interface PlaybookFacts {
  approvalRequired: boolean;
}

export interface PlanCatalogOptions {
  dir: string;
  /** Looks a playbook up by id; plans naming unknown playbooks, or the wrong kind, stop start-up. */
  playbook: (id: string) => PlaybookFacts | undefined;
  logger?: Logger;
}

export interface PlanMatch {
  plan: PlanDefinition;
  /** How many criteria matched: the most specific plan wins, ties go to the earlier file. */
  specificity: number;
}

const norm = (s: string) => s.replace(/[\s_-]/g, '').toLowerCase();

export class PlanCatalog {
  private readonly byId: Map<string, PlanDefinition>;

  constructor(readonly plans: readonly PlanDefinition[]) {
    this.byId = new Map(plans.map((p) => [p.id, p]));
  }

  get(id: string): PlanDefinition | undefined {
    return this.byId.get(id);
  }

  /** The plan for `incident`: every criterion a plan lists must hold; the plan listing most wins. */
  select(incident: Pick<Incident, 'entities' | 'severity' | 'tactics' | 'alertProducts' | 'title'>): PlanMatch | undefined {
    let best: PlanMatch | undefined;
    for (const plan of this.plans) {
      const specificity = matchPlan(plan, incident);
      if (specificity !== undefined && (!best || specificity > best.specificity)) best = { plan, specificity };
    }
    return best;
  }
}

/** The number of criteria `plan` lists when all of them hold for `incident`, else undefined. */
export function matchPlan(plan: PlanDefinition, incident: Pick<Incident, 'entities' | 'severity' | 'tactics' | 'alertProducts' | 'title'>): number | undefined {
  const a = plan.appliesTo;
  let score = 0;
  if (a.entityKinds) {
    const kinds = new Set(incident.entities.map((e) => e.kind));
    if (!a.entityKinds.some((k) => kinds.has(k))) return undefined;
    score += 1;
  }
  if (a.severities) {
    if (!a.severities.includes(incident.severity)) return undefined;
    score += 1;
  }
  if (a.tactics) {
    const have = new Set(incident.tactics.map((t) => findTactic(t)?.shortName ?? t));
    if (!a.tactics.some((t) => have.has(t))) return undefined;
    score += 1;
  }
  if (a.alertProducts) {
    const have = new Set(incident.alertProducts.map(norm));
    if (!a.alertProducts.some((p) => have.has(norm(p)))) return undefined;
    score += 1;
  }
  if (a.titleMatches) {
    if (!new RegExp(a.titleMatches, 'i').test(incident.title)) return undefined;
    // A title pattern names the kind of incident outright: it outweighs the other criteria.
    score += 2;
  }
  return score;
}

export function parsePlan(text: string, file: string, playbook: PlanCatalogOptions['playbook']): PlanDefinition {
  const plan = parseYamlDefinition('response plan', text, file, planSchema);
  plan.steps.forEach((step, i) => {
    if (!step.playbook) return;
    const facts = playbook(step.playbook);
    const path = `steps[${i}].playbook`;
    if (!facts) throw invalidDefinition('response plan', file, [{ path, message: `no playbook '${step.playbook}' is defined` }]);
    if (step.type === 'approved' && !facts.approvalRequired)
      throw invalidDefinition('response plan', file, [{ path, message: `'${step.playbook}' needs no approval: make the step automated` }]);
    if (step.type === 'automated' && facts.approvalRequired)
      throw invalidDefinition('response plan', file, [{ path, message: `'${step.playbook}' needs two-person approval: make the step approved` }]);
  });
  return plan;
}

/** Reads every plan in `dir`; a bad file stops start-up, a missing folder is an empty catalog. */
export function loadPlanCatalog(options: PlanCatalogOptions): PlanCatalog {
  const files = readYamlFolder(options.dir);
  if (!files) {
    options.logger?.warn({ dir: options.dir }, 'response plans folder not found: incidents get no plan');
    return new PlanCatalog([]);
  }
  const claim = uniqueIds('response plan');
  const plans = files.map(({ file, text }) => {
    const plan = parsePlan(text, file, options.playbook);
    claim(plan.id, file);
    return plan;
  });
  options.logger?.info({ dir: options.dir, count: plans.length }, 'response plans loaded');
  return new PlanCatalog(plans);
}

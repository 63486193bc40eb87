import type { AuditEntry, AuditLog } from '../../audit/audit-log';
import { ArgusError } from '../../errors/catalog';
import { convertRuleFiles } from '../kql/convert-rules';
import type { KqlTarget } from '../kql/kql-target';
import type { RuleFailure } from '../rule-errors';
import { desiredRule, type DesiredRule, type ScheduleSettings } from './alert-rule-body';
import type { AlertRulesClient } from './alert-rules-client';
import { planDeploy, type PlanEntry } from './deploy-plan';

/**
 * `argus rules deploy`: converts the repository's rules, compares them with the workspace's
 * analytics rules, and (unless --dry-run or --check) creates, updates and, with --prune, deletes
 * what differs, auditing each write and the run. Nothing is written when the plan cannot be made
 * (a rule id used twice, unreadable rule files with --prune, Sentinel unreachable).
 */

export interface DeployRequest {
  path: string;
  target: KqlTarget;
  cwd: string;
  schedule: ScheduleSettings;
  dryRun: boolean;
  prune: boolean;
  check: boolean;
}

export interface DeployDeps {
  client: AlertRulesClient;
  audit: Pick<AuditLog, 'append'>;
  /** Who deploys (the Azure principal of the token), for the audit rows. */
  actor: { id?: string; name: string; tenantId?: string };
  correlationId: string;
}

export type DeployAction = PlanEntry['action'] | 'orphan';

export interface DeployOutcome extends Omit<PlanEntry, 'action' | 'body'> {
  action: DeployAction;
  /** For writes: whether Sentinel took it. */
  outcome?: 'succeeded' | 'failed';
  error?: string;
}

export interface DeployReport {
  entries: DeployOutcome[];
  failures: RuleFailure[];
  /** --check: rules that differ from what the repository would deploy. */
  drift: DeployOutcome[];
  exitCode: number;
}

function duplicates(rules: DesiredRule[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const r of rules) (seen.has(r.ruleId) ? twice : seen).add(r.ruleId);
  return [...twice];
}

export async function runDeploy(req: DeployRequest, deps: DeployDeps): Promise<DeployReport> {
  const { converted, failures } = convertRuleFiles(req.path, req.target, req.cwd);
  if (converted.length === 0 && failures.length === 0) throw new ArgusError('ARGUS_BAD_REQUEST', `no Sigma rules found in ${req.path}`);
  if (req.prune && failures.length)
    throw new ArgusError('ARGUS_BAD_REQUEST', `--prune refused: ${failures.length} rule file(s) cannot be read, and their rules would look deleted`, {
      details: failures.map((f) => ({ path: f.source, message: f.message })),
    });
  const desired: DesiredRule[] = [];
  const skipped: { ruleId: string; title: string; reason: string }[] = [];
  for (const c of converted) {
    const d = desiredRule(c, req.schedule);
    if ('reason' in d) skipped.push({ ruleId: c.rule.id, title: c.rule.title, reason: d.reason });
    else desired.push(d);
  }
  const twice = duplicates(desired);
  if (twice.length) throw new ArgusError('ARGUS_BAD_REQUEST', `rule ids used by more than one rule: ${twice.join(', ')} (each deploys as one analytics rule)`);

  const deployed = await deps.client.list();
  const plan = planDeploy({ desired, skipped, deployed, repositoryRuleIds: new Set(converted.map((c) => c.rule.id)) });
  const entries: DeployOutcome[] = [];
  const auditBase = { actorId: deps.actor.id, actorName: deps.actor.name, actorTenantId: deps.actor.tenantId, correlationId: deps.correlationId };
  const audit = (entry: Omit<AuditEntry, keyof typeof auditBase>) => deps.audit.append({ ...auditBase, ...entry });

  for (const p of plan) {
    const { body, ...entry } = p;
    const out: DeployOutcome = { ...entry, action: p.action === 'delete' && !req.prune ? 'orphan' : p.action };
    entries.push(out);
    const write = out.action === 'create' || out.action === 'update' || out.action === 'delete';
    if (!write || req.dryRun || req.check) continue;
    const detail = { ruleId: p.ruleId, title: p.title ?? null, target: req.target, change: p.action, changed: p.changed ?? [] };
    const action = p.action === 'delete' ? 'detections.rule.delete' : 'detections.rule.deploy';
    try {
      if (p.action === 'delete') await deps.client.remove(p.alertRuleId as string);
      else await deps.client.put(p.alertRuleId as string, body as NonNullable<typeof body>);
      out.outcome = 'succeeded';
      await audit({ action, outcome: 'succeeded', target: p.alertRuleId as string, detail });
    } catch (err) {
      out.outcome = 'failed';
      out.error = err instanceof Error ? err.message : String(err);
      await audit({ action, outcome: 'failed', target: p.alertRuleId as string, detail: { ...detail, error: out.error.slice(0, 300), code: (err as { code?: unknown }).code ?? null } });
    }
  }

  const count = (a: DeployAction) => entries.filter((e) => e.action === a).length;
  const failed = entries.filter((e) => e.outcome === 'failed').length;
  const drift = entries.filter((e) => e.action === 'create' || e.action === 'update' || e.action === 'delete');
  if (!req.dryRun && !req.check) {
    const summary = { target: req.target, created: count('create'), updated: count('update'), unchanged: count('unchanged'), deleted: req.prune ? count('delete') : 0, skipped: count('skip'), failed };
    await audit({ action: 'detections.deploy', outcome: failed ? 'failed' : 'succeeded', target: req.target, detail: summary });
  }
  const exitCode = failed || failures.length || (req.check && drift.length) ? 1 : 0;
  return { entries, failures, drift, exitCode };
}

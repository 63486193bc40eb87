import { randomUUID } from 'node:crypto';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { TableAuditLog } from '../audit/table-audit-log';
import { createAlertRulesClient } from '../detections/deploy/alert-rules-client';
import { runDeploy, type DeployOutcome, type DeployReport } from '../detections/deploy/run-deploy';
import { kqlTargets } from '../detections/kql/kql-target';
import { describeFailure } from '../detections/rule-errors';
import { ArgusError } from '../errors/catalog';
import { defaultArmScope } from '../incidents/sentinel-client';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import { type CliIO, writeLine } from './command';
import { rulesTarget } from './rules-kql-command';

export const rulesDeployUsage = `argus rules deploy [PATH] [--target ${kqlTargets.join('|')}] [--dry-run] [--prune] [--check] [--json]`;

/** Who the token belongs to (object id, UPN or app id, tenant), read from its claims for the audit rows. */
async function tokenPrincipal(credential: TokenCredential, scope: string): Promise<{ id?: string; name: string; tenantId?: string }> {
  const token = await credential.getToken(scope).catch((err: unknown) => {
    throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', 'Could not get an access token for Azure Resource Manager (DefaultAzureCredential)', { cause: err });
  });
  try {
    const claims = JSON.parse(Buffer.from(token?.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const text = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : undefined);
    const id = text('oid');
    const tenantId = text('tid');
    return { ...(id ? { id } : {}), name: text('upn') ?? text('unique_name') ?? text('appid') ?? 'argus rules deploy', ...(tenantId ? { tenantId } : {}) };
  } catch {
    return { name: 'argus rules deploy' };
  }
}

const verbs: Record<DeployOutcome['action'], [string, string]> = {
  create: ['created', 'would create'],
  update: ['updated', 'would update'],
  unchanged: ['unchanged', 'unchanged'],
  delete: ['deleted', 'would delete'],
  orphan: ['orphan', 'orphan'],
  skip: ['skipped', 'skipped'],
};

function printReport(report: DeployReport, io: CliIO, preview: boolean): void {
  for (const e of report.entries) {
    const verb = e.outcome === 'failed' ? 'FAILED' : (verbs[e.action] as [string, string])[preview ? 1 : 0];
    const why = e.error ?? e.reason ?? (e.changed?.length ? `differs in ${e.changed.join(', ')}` : e.action === 'orphan' ? 'its Sigma rule is gone; --prune deletes it' : '');
    writeLine(io.stdout, [verb.padEnd(12), (e.alertRuleId ?? '-').padEnd(36), e.ruleId, e.title ?? '', why ? `— ${why}` : ''].join('  ').trimEnd());
  }
  for (const f of report.failures) writeLine(io.stderr, `argus rules deploy: cannot read ${describeFailure(f)}`);
}

/** `argus rules deploy`: the repository's rules as Sentinel scheduled analytics rules. */
export async function rulesDeploy(args: string[], io: CliIO): Promise<number> {
  const flags = { 'dry-run': { type: 'boolean' as const }, prune: { type: 'boolean' as const }, check: { type: 'boolean' as const } };
  const { path, target, values, config } = rulesTarget(args, io, rulesDeployUsage, flags);
  const sentinel = config.file.sentinel;
  if (!sentinel)
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'argus rules deploy needs the sentinel section of the config (the workspace to deploy to)', {
      details: [{ path: 'sentinel', message: 'required: subscriptionId, resourceGroup, workspaceName' }],
    });
  const dryRun = values['dry-run'] === true;
  const check = values.check === true;
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  const credential = new DefaultAzureCredential();
  const client = createAlertRulesClient({ config: sentinel, credential, log: logger });
  // Writes are audited: the audit table must answer before anything is written.
  const store = dryRun || check ? undefined : (await openTableStore(config.storage, { logger })).store;
  try {
    if (store) await store.ensureTable(tableNames.audit);
    const audit = store
      ? new TableAuditLog({ client: store.client(tableNames.audit), logger })
      : {
          append: () => Promise.reject(new Error('a preview writes no audit rows')),
        };
    const actor = await tokenPrincipal(credential, sentinel.armScope ?? defaultArmScope);
    const report = await runDeploy(
      { path, target, cwd: io.cwd, schedule: config.file.detections, dryRun, prune: values.prune === true, check },
      { client, audit, actor, correlationId: randomUUID() },
    );
    if (values.json) writeLine(io.stdout, JSON.stringify(report.entries, null, 2));
    else printReport(report, io, dryRun || check);
    const n = (a: DeployOutcome['action']) => report.entries.filter((e) => e.action === a).length;
    const failed = report.entries.filter((e) => e.outcome === 'failed').length;
    const where = `${target} → ${sentinel.workspaceName}`;
    if (check) writeLine(io.stderr, `argus rules deploy --check: ${report.drift.length ? `${report.drift.length} analytics rule(s) differ from the repository` : 'the workspace matches the repository'} (${where})`);
    else writeLine(io.stderr, `argus rules deploy${dryRun ? ' --dry-run' : ''}: ${n('create')} create, ${n('update')} update, ${n('unchanged')} unchanged, ${n('delete')} delete, ${n('orphan')} orphan, ${n('skip')} skipped, ${failed} failed (${where})`);
    return report.exitCode;
  } finally {
    await store?.close();
  }
}

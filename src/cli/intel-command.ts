import { parseArgs } from 'node:util';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { createSecretProvider } from '../app/secrets';
import { loadConfig } from '../config/load-config';
import { normaliseIp } from '../enrichment/indicators';
import { createIntelSetup, type IntelSetup } from '../enrichment/intel-setup';
import type { QuotaStatus } from '../enrichment/quota';
import { sourceHealth, type SourceHealth } from '../enrichment/source-health';
import { ArgusError } from '../errors/catalog';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { tableNames } from '../storage/table-store';
import { compileAllowList } from '../triage/allow-list';
import { countQueued } from '../triage/queue-depth';
import { TableTriageStore } from '../triage/triage-store';
import { indicatorTypes, type Indicator, type IndicatorType } from '../triage/types';
import { type CliIO, withSubcommands, writeLine } from './command';

const usage = 'argus intel quota [--json] | argus intel lookup <indicator> [--type ip|domain|url|sha256|sha1|md5] [--json]';

function parse(args: string[], withIndicator: boolean) {
  try {
    const parsed = parseArgs({ args, strict: true, allowPositionals: true, options: { json: { type: 'boolean' }, type: { type: 'string' } } });
    if (!withIndicator && (parsed.positionals.length > 0 || parsed.values.type !== undefined)) throw new Error('argus intel quota takes only --json');
    if (withIndicator && parsed.positionals.length !== 1) throw new Error('name one indicator');
    return parsed;
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${err instanceof Error ? err.message : String(err)}\nusage: ${usage}`);
  }
}

/** The enrichment parts as configured, over the storage as configured; `use` runs, then storage closes. */
async function withIntel(io: CliIO, use: (intel: IntelSetup, more: { alerts: TableTriageStore; health: () => Promise<SourceHealth[]> }) => Promise<number>): Promise<number> {
  const config = loadConfig(io.env, { cwd: io.cwd });
  const enrichment = config.file.enrichment;
  if (!enrichment) throw new ArgusError('ARGUS_CONFIG_INVALID', 'enrichment is not configured: no intel source is looked up (see docs/triage.md)');
  // Logs go to stderr so stdout carries only the result; quiet unless LOG_LEVEL asks for more.
  const logger = createLogger({ level: io.env.LOG_LEVEL ? config.env.LOG_LEVEL : 'warn', destination: io.stderr });
  let credential: TokenCredential | undefined;
  const secrets = createSecretProvider(config, io.env, () => (credential ??= new DefaultAzureCredential()), logger);
  const { store } = await openTableStore(config.storage, { logger });
  try {
    for (const table of [tableNames.intelCache, tableNames.intelQuota, tableNames.alerts]) await store.ensureTable(table);
    const tables = { cache: store.client(tableNames.intelCache), quota: store.client(tableNames.intelQuota) };
    const intel = createIntelSetup(enrichment, { secrets, tables, allow: compileAllowList(config.file.triage.allow), log: logger });
    const health = () => sourceHealth(enrichment, { secrets, quota: intel.quota });
    return await use(intel, { alerts: new TableTriageStore(store.client(tableNames.alerts)), health });
  } finally {
    await store.close();
  }
}

/**
 * One line per source as `argus intel quota --json` prints it (ARCHITECTURE §8): `queued` counts
 * the lookups waiting for quota (alerts pending intel); `available` is false when the source
 * refused the key or its secret is not set.
 */
export function quotaView(s: QuotaStatus, queued = 0, health?: SourceHealth) {
  const available = health ? health.available : !s.unavailable;
  const unavailable = s.unavailable ?? (available ? undefined : { reason: health?.reason ?? 'unavailable' });
  return {
    source: s.source,
    ...(s.perMinute ? { perMinute: s.perMinute } : {}),
    perDay: s.perDay,
    queued,
    available,
    ...(unavailable ? { unavailable } : {}),
    ...(s.throttledUntil ? { throttledUntil: s.throttledUntil } : {}),
  };
}

async function quota(args: string[], io: CliIO): Promise<number> {
  const { values } = parse(args, false);
  return withIntel(io, async (intel, more) => {
    const [statuses, queued, health] = await Promise.all([intel.quota.status(), countQueued(more.alerts), more.health()]);
    const view = statuses.map((s) => quotaView(s, queued[s.source], health.find((h) => h.source === s.source)));
    if (values.json) writeLine(io.stdout, JSON.stringify(view));
    for (const s of values.json ? [] : view) {
      const minute = s.perMinute ? `${s.perMinute.remaining}/${s.perMinute.limit} this minute, ` : '';
      const since = s.unavailable && 'since' in s.unavailable && s.unavailable.since ? ` since ${s.unavailable.since}` : '';
      const state = s.unavailable ? `unavailable${since}: ${s.unavailable.reason}` : s.throttledUntil ? `throttled until ${s.throttledUntil}` : 'available';
      writeLine(io.stdout, `${s.source.padEnd(11)} ${minute}${s.perDay.remaining}/${s.perDay.limit} today (resets ${s.perDay.resetsAt}), ${s.queued ? `${s.queued} waiting for quota, ` : ''}${state}`);
    }
    return 0;
  });
}

const hashTypes: Record<number, IndicatorType> = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

/** The indicator a value names: --type when given, else an IP, a hash by its length, a URL by its scheme, or a domain. */
export function indicatorOf(value: string, type?: string): Indicator {
  if (type !== undefined) {
    if (!(indicatorTypes as readonly string[]).includes(type)) throw new ArgusError('ARGUS_BAD_REQUEST', `--type must be one of ${indicatorTypes.join(', ')}\nusage: ${usage}`);
    return { type: type as IndicatorType, value };
  }
  const text = value.trim();
  if (normaliseIp(text).ok) return { type: 'ip', value: text };
  if (/^[0-9a-f]+$/i.test(text) && hashTypes[text.length]) return { type: hashTypes[text.length]!, value: text };
  return { type: /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? 'url' : 'domain', value: text };
}

async function lookup(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse(args, true);
  const indicator = indicatorOf(positionals[0]!, values.type);
  return withIntel(io, async (intel) => {
    const result = await intel.service.enrich([indicator]);
    const [enriched] = result.indicators;
    const view = { ...enriched!, waiting: result.waiting, unavailable: result.unavailable };
    if (values.json) writeLine(io.stdout, JSON.stringify(view));
    else {
      writeLine(io.stdout, `${view.indicator.type} ${view.indicator.value}${view.allowListedBy ? `: allow-listed by ${view.allowListedBy}, not looked up` : ''}`);
      for (const s of view.sources) writeLine(io.stdout, `  ${s.source.padEnd(11)} ${s.verdict}${s.cached ? ' (cached)' : ''}${s.reason ? `: ${s.reason}` : ''}`);
      for (const w of view.waiting) writeLine(io.stdout, `  ${w.source.padEnd(11)} waiting until ${w.until} (${w.why === 'throttled' ? 'the source asked us to wait' : `the ${w.why}'s quota is spent`})`);
    }
    return 0;
  });
}

/** `argus intel quota|lookup`: the intel sources' quotas, and one lookup within them (for admins). */
export const intelCommand = withSubcommands({ name: 'intel', summary: 'Intel source quotas (quota), or look one indicator up within them (lookup)', usage }, { quota, lookup });

import { z } from 'zod';
import { isLoopbackHostHeader } from '../net/loopback';
import { parseIsoDuration } from '../playbooks/duration';

/**
 * The `logAnalytics` section of `argus.config.yaml` (ARCHITECTURE §10, docs/queries.md): the
 * workspace investigation queries run against. Absent: no Investigate menu on the cards, and `kql`
 * says Log Analytics is not configured. Kept apart from file-schema.ts, which imports it (so this
 * file must not import it).
 */

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID (the workspace ID from the Properties blade)');

function boundedDuration(example: string, maxMs: number, max: string) {
  return z.string().refine((text) => {
    const ms = parseIsoDuration(text) ?? 0;
    return ms > 0 && ms <= maxMs;
  }, `must be an ISO-8601 duration above zero and at most ${max}, such as ${example}`);
}

/** A bearer token goes with every call: https only (plain http for loopback test peers). */
const endpoint = z.url().refine((text) => {
  const url = new URL(text);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostHeader(url.host));
}, 'must use https (plain http is accepted for loopback addresses only)');

export const logAnalyticsSchema = z.strictObject({
  /** The workspace ID (a GUID), not its name or ARM id. */
  workspaceId: guid,
  endpoint: endpoint.default('https://api.loganalytics.io'),
  /** Token audience; sovereign clouds change it together with the endpoint. */
  scope: z.string().min(1).default('https://api.loganalytics.io/.default'),
  /** Folder of the query catalog (`*.yaml`), relative to the config file. */
  queriesDir: z.string().min(1).default('./queries'),
  /** How long one query may run: sent as `Prefer: wait=<seconds>` and enforced on the connection (the API allows 10 minutes). */
  timeout: boundedDuration('PT1M', 600_000, 'PT10M').default('PT1M'),
  /** Rows Argus asks for at most (`| take` after the query); the card says when there were more. */
  maxRows: z.number().int().min(1).max(10_000).default(1000),
  /** Time range of `kql` queries that name none (`kql --timespan PT4H …` overrides it). */
  adhocTimespan: boundedDuration('P1D', 730 * 86_400_000, 'P730D').default('P1D'),
});

export type LogAnalyticsSettings = z.output<typeof logAnalyticsSchema>;

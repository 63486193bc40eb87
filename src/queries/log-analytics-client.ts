import type { TokenCredential } from '@azure/identity';
import { z } from 'zod';
import type { LogAnalyticsSettings } from '../config/log-analytics-schema';
import { ArgusError, isArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { createHttpClient, type HttpResponse } from '../net/http-client';
import { parseIsoDuration } from '../playbooks/duration';

/**
 * The Log Analytics Query API (learn.microsoft.com/rest/api/loganalytics/dataaccess/query/execute):
 * `POST {endpoint}/v1/workspaces/{workspaceId}/query` with `{query, timespan}` and a bearer token
 * for https://api.loganalytics.io. The answer is `{tables: [{name, columns: [{name, type}],
 * rows: [[…]]}]}`; a non-fatal problem comes as 200 with the tables and an `error` beside them
 * (code PartialError); a fatal one as an error status with `{error: {code, message, innererror}}`.
 * Throttling is 429 with Retry-After (five queries per identity at a time, then a queue). Every
 * outcome is returned as data, so the person who asked sees it, never a silent nothing.
 */

export interface ResultColumn {
  name: string;
  /** bool, datetime, decimal, dynamic, guid, int, long, real, string, timespan. */
  type: string;
}

export interface ResultTable {
  name: string;
  columns: ResultColumn[];
  rows: unknown[][];
}

export interface QueryProblem {
  code: string;
  message: string;
}

export type QueryOutcome =
  | { kind: 'ok'; table: ResultTable; partial?: QueryProblem }
  | { kind: 'throttled'; status: 429; retryAfterSeconds?: number; problem: QueryProblem }
  | { kind: 'failed'; status?: number; problem: QueryProblem };

export interface LogAnalyticsClient {
  query(request: { query: string; timespan?: string }): Promise<QueryOutcome>;
}

export interface LogAnalyticsClientOptions {
  settings: Pick<LogAnalyticsSettings, 'workspaceId' | 'endpoint' | 'scope' | 'timeout'>;
  /** DefaultAzureCredential (made on first use); its identity needs Log Analytics Reader on the workspace. */
  credential(): TokenCredential;
  log?: Logger;
}

const problemSchema = z.looseObject({
  code: z.string().optional(),
  message: z.string().optional(),
  details: z.array(z.looseObject({ code: z.string().optional(), message: z.string().optional(), innererror: z.unknown().optional() })).optional(),
  innererror: z.unknown().optional(),
});

const responseSchema = z.looseObject({
  tables: z.array(
    z.looseObject({
      name: z.string(),
      columns: z.array(z.looseObject({ name: z.string(), type: z.string().default('string') })),
      rows: z.array(z.array(z.unknown())),
    }),
  ),
  error: problemSchema.nullish(),
});

const maxMessage = 600;

/** The error's code and its messages, innermost last (`BadArgumentError: … → SemanticError: …`). */
export function describeProblem(data: unknown, fallback: string): QueryProblem {
  const error = (data as { error?: unknown } | undefined)?.error;
  const parsed = problemSchema.safeParse(error);
  if (!parsed.success) return { code: fallback, message: fallback };
  const parts: string[] = [];
  const walk = (node: unknown, depth: number): void => {
    const p = problemSchema.safeParse(node);
    if (!p.success || depth > 4) return;
    if (p.data.message) parts.push(p.data.code && depth > 0 ? `${p.data.code}: ${p.data.message}` : p.data.message);
    for (const detail of p.data.details ?? []) walk(detail, depth + 1);
    walk(p.data.innererror, depth + 1);
  };
  walk(parsed.data, 0);
  const message = [...new Set(parts)].join(' → ').slice(0, maxMessage);
  return { code: parsed.data.code ?? fallback, message: message || fallback };
}

class Throttled extends Error {
  constructor(readonly response: HttpResponse) {
    super('throttled');
  }
}

function retryAfterSeconds(headers: Record<string, unknown>): number | undefined {
  const raw = headers['retry-after'];
  const text = Array.isArray(raw) ? String(raw[0]) : typeof raw === 'string' || typeof raw === 'number' ? String(raw) : undefined;
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

export function createLogAnalyticsClient(options: LogAnalyticsClientOptions): LogAnalyticsClient {
  const { settings, log } = options;
  const waitSeconds = Math.ceil((parseIsoDuration(settings.timeout) ?? 60_000) / 1000);
  const url = `${settings.endpoint.replace(/\/+$/, '')}/v1/workspaces/${encodeURIComponent(settings.workspaceId)}/query`;
  const http = createHttpClient({
    peer: 'log-analytics',
    // The server stops at `Prefer: wait`; the connection waits a little longer for its 504.
    timeoutMs: (waitSeconds + 10) * 1000,
    // Queries are read-only but costly: a 429 is tried once more when its Retry-After is short;
    // a 5xx or a timed-out connection is reported, not repeated behind the person's back.
    retry: { attempts: 2, maxRetryAfterMs: 5_000, maxTotalWaitMs: 10_000 },
    headers: { accept: 'application/json', prefer: `wait=${waitSeconds}` },
    async authorization() {
      const token = await options
        .credential()
        .getToken(settings.scope)
        .catch((err: unknown) => {
          throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', 'Could not get an access token for Log Analytics', { cause: err });
        });
      if (!token) throw new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', 'Could not get an access token for Log Analytics');
      return `Bearer ${token.token}`;
    },
    errors: {
      unreachable: (f) =>
        new ArgusError(
          'ARGUS_DEPENDENCY_UNAVAILABLE',
          f.code === 'ECONNABORTED' || f.code === 'ETIMEDOUT' ? `Log Analytics did not answer within ${waitSeconds + 10} s` : `Log Analytics could not be reached (${f.code})`,
        ),
      exhausted: (f) => new Throttled(f.response),
    },
    ...(log ? { log } : {}),
  });

  return {
    async query(request) {
      let res: HttpResponse;
      try {
        res = await http({ method: 'POST', url, body: { query: request.query, ...(request.timespan ? { timespan: request.timespan } : {}) }, idempotent: false });
      } catch (err) {
        if (err instanceof Throttled) {
          const after = retryAfterSeconds(err.response.headers);
          return { kind: 'throttled', status: 429, ...(after !== undefined ? { retryAfterSeconds: after } : {}), problem: describeProblem(err.response.data, 'Throttled') };
        }
        if (isArgusError(err)) return { kind: 'failed', problem: { code: err.code, message: err.message } };
        throw err;
      }
      if (res.status === 504) return { kind: 'failed', status: 504, problem: { code: 'GatewayTimeout', message: `The query ran longer than ${waitSeconds} s and was stopped` } };
      if (res.status !== 200) return { kind: 'failed', status: res.status, problem: describeProblem(res.data, `HTTP ${res.status}`) };
      const parsed = responseSchema.safeParse(res.data);
      if (!parsed.success || parsed.data.tables.length === 0) {
        log?.warn({ status: res.status }, 'Log Analytics answered 200 without a result table');
        return { kind: 'failed', status: 200, problem: { code: 'UnexpectedResponse', message: 'Log Analytics answered without a result table' } };
      }
      // PrimaryResult is the query's answer; other tables (statistics, visualization) are not shown.
      const table = parsed.data.tables.find((t) => t.name === 'PrimaryResult') ?? parsed.data.tables[0]!;
      const partial = parsed.data.error ? describeProblem({ error: parsed.data.error }, 'PartialError') : undefined;
      return { kind: 'ok', table: { name: table.name, columns: table.columns, rows: table.rows }, ...(partial ? { partial } : {}) };
    },
  };
}

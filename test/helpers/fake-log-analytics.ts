import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';
import { hasTokenFor } from './fake-managed-identity';

/**
 * A local Log Analytics Query API (learn.microsoft.com/rest/api/loganalytics/dataaccess/query/execute,
 * azure-monitor/logs/api/response-format, …/api/errors): `POST /v1/workspaces/{workspaceId}/query`
 * with `{query, timespan?}` and a bearer token whose audience is https://api.loganalytics.io.
 * Answers `{tables: [{name: "PrimaryResult", columns: [{name, type}], rows: [[…]]}]}`; a partial
 * error as 200 with the tables and `error: {code: "PartialError", message, details: [{code,
 * message, innererror}]}`; fatal errors as `{error: {code, message, innererror?}}` with their
 * status (400 BadArgumentError, 401 AuthenticationFailed, 403 InvalidAuthenticationTokenAudience,
 * 404 WorkspaceNotFoundError, 429 with Retry-After). A trailing `| take N` is honoured, so row caps
 * can be seen to work. Every request is recorded, answered or not.
 */

export interface FakeTable {
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
}

export type FakeAnswer =
  | { kind: 'table'; table: FakeTable; partial?: boolean }
  | { kind: 'throttled'; retryAfterSeconds?: number }
  | { kind: 'error'; status: number; code: string; message: string; inner?: { code: string; message: string } };

export interface FakeLogAnalytics extends TestServer {
  workspaceId: string;
  /** The `logAnalytics.endpoint` to configure. */
  endpoint: string;
  /** What every query answers unless something is scripted. */
  setTable(table: FakeTable): void;
  /** The next queries get these answers, in order. */
  answerNext(...answers: FakeAnswer[]): void;
  /** Bodies of the queries that reached the workspace (authenticated and well-formed). */
  queries(): Array<{ query: string; timespan?: string; prefer?: string }>;
}

export const partialErrorBody = {
  code: 'PartialError',
  message: 'There were some errors when processing your query.',
  details: [
    {
      code: 'EngineError',
      message: 'Something went wrong processing your query on the server.',
      innererror: { code: '-2133196797', message: 'Query result set has exceeded the internal data size limit 8388608 bytes', severity: 2, severityName: 'Error' },
    },
  ],
};

function error(res: Parameters<typeof sendJson>[0], status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { code, message, ...extra } }, headers);
}

export async function startFakeLogAnalytics(options: { workspaceId?: string } = {}): Promise<FakeLogAnalytics> {
  const workspaceId = options.workspaceId ?? '7e2c4a10-3b5d-4f6e-8a9b-0c1d2e3f4a5b';
  let table: FakeTable = { columns: [{ name: 'TimeGenerated', type: 'datetime' }], rows: [] };
  const script: FakeAnswer[] = [];
  const accepted: Array<{ query: string; timespan?: string; prefer?: string }> = [];

  const server = await startTestServer((req: RecordedRequest, res) => {
    const match = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(req.path);
    if (req.method !== 'POST' || !match) return error(res, 404, 'PathNotFoundError', `The requested path does not exist: ${req.method} ${req.path}`);
    if (!req.headers.authorization) return error(res, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    if (!hasTokenFor(req.headers.authorization, 'https://api.loganalytics.io'))
      return error(res, 403, 'InvalidAuthenticationTokenAudience', "The access token has been obtained from wrong audience or resource. It should exactly match 'https://api.loganalytics.io'.");
    if (decodeURIComponent(match[1]!) !== workspaceId) return error(res, 404, 'WorkspaceNotFoundError', `Workspace ${match[1]} was not found.`);
    const body = req.json as { query?: unknown; timespan?: unknown } | undefined;
    if (typeof body?.query !== 'string' || !body.query.trim())
      return error(res, 400, 'BadArgumentError', 'The request had some invalid properties', { innererror: { code: 'QueryValidationError', message: 'A query is required' } });
    accepted.push({ query: body.query, ...(typeof body.timespan === 'string' ? { timespan: body.timespan } : {}), ...(req.headers.prefer ? { prefer: String(req.headers.prefer) } : {}) });
    const answer = script.shift() ?? { kind: 'table', table };
    if (answer.kind === 'throttled')
      return error(
        res,
        429,
        'ThrottledError',
        'Your request was throttled: too many queries are running or queued for this user. Retry later.',
        {},
        answer.retryAfterSeconds !== undefined ? { 'retry-after': String(answer.retryAfterSeconds) } : {},
      );
    if (answer.kind === 'error') return error(res, answer.status, answer.code, answer.message, answer.inner ? { innererror: answer.inner } : {});
    const take = /\|\s*take\s+(\d+)\s*$/.exec(body.query);
    const rows = take ? answer.table.rows.slice(0, Number(take[1])) : answer.table.rows;
    sendJson(res, 200, { tables: [{ name: 'PrimaryResult', columns: answer.table.columns, rows }], ...(answer.partial ? { error: partialErrorBody } : {}) });
  });

  return {
    ...server,
    workspaceId,
    endpoint: server.url,
    setTable: (t) => void (table = t),
    answerNext: (...answers) => void script.push(...answers),
    queries: () => [...accepted],
  };
}

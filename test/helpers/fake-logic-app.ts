import { randomUUID } from 'node:crypto';
import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';

/**
 * A local Logic Apps "When a HTTP request is received" trigger endpoint
 * (`/workflows/<id>/triggers/manual/paths/invoke?api-version=…&sp=…&sv=…&sig=…`). Like Azure it
 * refuses calls without the SAS signature (401 DirectApiAuthorizationRequired), answers 202 Accepted
 * with the run headers, and can be told to answer the next calls with throttling or errors in
 * Logic Apps' `{"error": {"code", "message"}}` shape.
 */
export interface ScriptedAnswer {
  status: number;
  code?: string;
  message?: string;
  retryAfter?: string;
}

export interface FakeLogicApp extends TestServer {
  /** A trigger URL (with its SAS query) for the workflow named `workflow`. */
  triggerUrl(workflow: string): string;
  /** Trigger calls that carried a valid signature, per workflow name. */
  runs(workflow: string): RecordedRequest[];
  /** The next calls to `workflow` get these answers, in order (then 202 again). */
  answerNext(workflow: string, ...answers: ScriptedAnswer[]): void;
}

const sig = 'fake-sas-signature';

export async function startFakeLogicApp(): Promise<FakeLogicApp> {
  const scripts = new Map<string, ScriptedAnswer[]>();
  const accepted = new Map<string, RecordedRequest[]>();
  const server = await startTestServer((req, res) => {
    const match = /^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/.exec(req.path);
    if (!match?.[1]) return sendJson(res, 404, { error: { code: 'WorkflowNotFound', message: `The workflow for ${req.path} could not be found.` } });
    if (req.method !== 'POST') return sendJson(res, 405, { error: { code: 'MethodNotAllowed', message: req.method } });
    if (req.query.get('sig') !== sig || !req.query.get('sp') || !req.query.get('api-version'))
      return sendJson(res, 401, { error: { code: 'DirectApiAuthorizationRequired', message: 'The request must be authenticated only by Shared Access scheme.' } });
    const workflow = decodeURIComponent(match[1]);
    const answer = scripts.get(workflow)?.shift();
    if (answer) {
      const headers: Record<string, string> = answer.retryAfter !== undefined ? { 'retry-after': answer.retryAfter } : {};
      const code = answer.code ?? (answer.status === 429 ? 'WorkflowRequestsThrottled' : 'InternalServerError');
      return sendJson(res, answer.status, { error: { code, message: answer.message ?? 'injected failure' } }, headers);
    }
    if (!req.headers['content-type']?.startsWith('application/json') || req.json === undefined)
      return sendJson(res, 400, { error: { code: 'InvalidRequestContent', message: 'The request content is not valid JSON.' } });
    const list = accepted.get(workflow) ?? [];
    list.push(req);
    accepted.set(workflow, list);
    const runId = `08585${Date.now()}${Math.floor(Math.random() * 1e6)}CU00`;
    res.writeHead(202, {
      'x-ms-workflow-run-id': runId,
      'x-ms-correlation-id': randomUUID(),
      'x-ms-client-tracking-id': String(req.headers['x-ms-client-tracking-id'] ?? runId),
      'x-ms-trigger-history-name': runId,
      'x-ms-workflow-name': workflow,
      'content-length': '0',
    });
    res.end();
  });
  return {
    ...server,
    triggerUrl: (workflow) => `${server.url}/workflows/${encodeURIComponent(workflow)}/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    runs: (workflow) => accepted.get(workflow) ?? [],
    answerNext(workflow, ...answers) {
      scripts.set(workflow, [...(scripts.get(workflow) ?? []), ...answers]);
    },
  };
}

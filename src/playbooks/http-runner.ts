import type { SecretProvider } from '../config/secret-provider';
import { ArgusError, isArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { createHttpClient, type HttpResponse } from '../net/http-client';
import type { PlaybookRunner, TriggerRequest } from './runner';

export interface HttpRunnerOptions {
  secrets: Pick<SecretProvider, 'get'>;
  /** Attempts in total, the first included. */
  attempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A Retry-After longer than this is not waited for: the run fails instead. */
  maxRetryAfterMs?: number;
  timeoutMs?: number;
  log?: Logger;
}

/** The body a Logic App HTTP trigger receives (docs/playbooks.md shows its JSON schema). */
export function httpTriggerBody(req: TriggerRequest) {
  const { run, incident } = req;
  const who = (a: TriggerRequest['run']['requestedBy'] | undefined) => (a ? { aadObjectId: a.aadObjectId ?? null, name: a.name ?? null, tenantId: a.tenantId ?? null } : null);
  return {
    runId: run.runId,
    playbookId: run.playbookId,
    incident: { id: incident.name, number: incident.number, title: incident.title, severity: incident.severity },
    // The entity's own Sentinel properties too (aadUserId, hostName, address…): what the Logic App acts on.
    entity: run.entity
      ? { kind: run.entity.kind, id: run.entity.id, name: run.entity.displayName, properties: incident.entities.find((e) => e.id === run.entity?.id)?.properties ?? {} }
      : null,
    requestedBy: who(run.requestedBy),
    approvedBy: who(run.approvedBy),
    callbackUrl: req.callbackUrl ?? null,
  };
}

/** The trigger URL carries a SAS signature: it must go over TLS (plain http only to this machine). */
function checkUrl(value: string): URL | undefined {
  try {
    const url = new URL(value);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
    return url.protocol === 'https:' || (url.protocol === 'http:' && loopback) ? url : undefined;
  } catch {
    return undefined;
  }
}

function reasonOf(status: number, data: unknown): string {
  const error = typeof data === 'object' && data !== null ? (data as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const code = typeof error?.code === 'string' ? ` ${error.code}` : '';
  const message = typeof error?.message === 'string' ? `: ${error.message.slice(0, 300)}` : '';
  return `${status}${code}${message}`;
}

/**
 * HTTP target: POSTs the run to the Logic App trigger URL read from `target.urlSecret`. 429, 5xx and
 * network failures are retried with backoff (Retry-After honoured) carrying the same runId — also
 * as `x-ms-client-tracking-id`, so the Logic App's run history is searchable by it and a repeat can
 * be recognised. Any other 4xx fails the run with the Logic App's reason. The URL is never logged.
 */
export function createHttpRunner(options: HttpRunnerOptions): PlaybookRunner {
  // Worst case (4 slow attempts and long Retry-Afters) stays under the intake's visibility timeout,
  // so no other instance picks the same event up while this one still waits.
  const attempts = options.attempts ?? 4;
  const retry = {
    attempts,
    baseDelayMs: options.baseDelayMs ?? 1000,
    maxDelayMs: options.maxDelayMs ?? 8_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 20_000,
  };
  const problem = (res: HttpResponse) => reasonOf(res.status, res.data);
  // Failures retrying did not cure carry the run's reason as their message.
  const failed = (reason: string) => new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', reason);

  return {
    async trigger(req) {
      const { playbook, run } = req;
      if (playbook.target.type !== 'http') throw new ArgusError('ARGUS_INTERNAL', `playbook ${playbook.definition.id} is not an HTTP playbook`);
      const secretName = playbook.target.urlSecret;
      const raw = await options.secrets.get(secretName);
      if (!raw) return { ok: false, reason: `The trigger URL secret '${secretName}' is not set.` };
      const url = checkUrl(raw.trim());
      if (!url) return { ok: false, reason: `The trigger URL in secret '${secretName}' is not an https URL.` };
      const log = options.log?.child({ runId: run.runId, playbook: run.playbookId, host: url.host });
      // One client per trigger: its retry log lines carry this run, never the URL (it holds a signature).
      const http = createHttpClient({
        peer: 'logic-app',
        timeoutMs: options.timeoutMs ?? 10_000,
        retry,
        // Every attempt carries the same runId, so a repeat is recognisable: 5xx and timeouts are retried too.
        retryStatus: (status) => status === 429 || status >= 500,
        retryAfterOn5xx: true,
        errors: {
          unreachable: (f) => failed(`The Logic App could not be reached after ${attempts} attempts (${f.code}).`),
          exhausted: (f) =>
            failed(
              f.stop === 'retry-after'
                ? `The Logic App is throttling (${problem(f.response)}); retry later.`
                : `The Logic App could not be reached after ${attempts} attempts (${problem(f.response)}).`,
            ),
        },
        onRetry: (n) =>
          log?.warn({ attempt: n.attempt, problem: n.response ? problem(n.response) : n.code, delayMs: Math.round(n.delayMs) }, 'playbook trigger failed; retrying with the same runId'),
      });
      let res: HttpResponse;
      try {
        res = await http({
          method: 'POST',
          url: url.href,
          body: httpTriggerBody(req),
          headers: { 'content-type': 'application/json', 'x-ms-client-tracking-id': run.runId },
          idempotent: true,
        });
      } catch (err) {
        if (isArgusError(err, 'ARGUS_DEPENDENCY_UNAVAILABLE')) return { ok: false, reason: err.message };
        throw err;
      }
      if (res.status >= 200 && res.status < 300) return { ok: true, detail: `Logic App accepted the run (${res.status})` };
      return { ok: false, reason: `The Logic App refused the run (${problem(res)}).` };
    },
  };
}

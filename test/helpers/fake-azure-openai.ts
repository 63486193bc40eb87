import { sendJson, startTestServer, type RecordedRequest, type TestServer } from './http-server';

/**
 * A local Azure OpenAI data-plane endpoint (learn.microsoft.com, "Azure OpenAI REST API reference",
 * chat completions): `POST /openai/deployments/{deployment}/chat/completions?api-version=…` with
 * the key in the `api-key` header and `{messages: [{role, content}], …}` as the body. Answers a
 * `chat.completion` object: `{id: "chatcmpl-…", object, created, model, system_fingerprint,
 * prompt_filter_results, choices: [{index, finish_reason, logprobs, message: {role: "assistant",
 * content}, content_filter_results}], usage}`. Errors come as `{error: {code, message}}`: 401 for a
 * missing or wrong key, 404 DeploymentNotFound for another deployment. The answer can be scripted,
 * delayed (a timeout) or replaced by an error. Every request is recorded.
 */

export interface FakeAzureOpenAi extends TestServer {
  /** The `llm.endpoint` to configure. */
  endpoint: string;
  deployment: string;
  apiKey: string;
  /** What the model answers from now on (default: a fixed two-sentence summary). */
  answer(content: string | null, options?: { finishReason?: string }): void;
  /** Every answer waits this long first (to make callers time out). */
  delay(ms: number): void;
  /** The next requests get these errors, in order. */
  failNext(...errors: Array<{ status: number; code?: string; message?: string; retryAfter?: string }>): void;
}

const model = 'gpt-4o-2024-08-06';
const filterSafe = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' }, sexual: { filtered: false, severity: 'safe' }, violence: { filtered: false, severity: 'safe' } };

export async function startFakeAzureOpenAi(options: { deployment?: string; apiKey?: string } = {}): Promise<FakeAzureOpenAi> {
  const deployment = options.deployment ?? 'triage-gpt4o';
  const apiKey = options.apiKey ?? 'aoai-test-key-0123456789';
  let content: string | null = 'A host ran an encoded PowerShell command that contacted an address several intel sources flag. Check the parent process and whether the address appears elsewhere.';
  let finishReason = 'stop';
  let delayMs = 0;
  const failures: Array<{ status: number; code?: string; message?: string; retryAfter?: string }> = [];
  let counter = 0;

  const server = await startTestServer(async (req: RecordedRequest, res) => {
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (res.destroyed) return;
    const fail = failures.shift();
    if (fail) return sendJson(res, fail.status, { error: { code: fail.code ?? String(fail.status), message: fail.message ?? 'scripted failure' } }, fail.retryAfter ? { 'retry-after': fail.retryAfter } : {});
    if (req.headers['api-key'] !== apiKey)
      return sendJson(res, 401, { error: { code: '401', message: 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.' } });
    const match = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(req.path);
    if (req.method !== 'POST' || !match) return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    if (decodeURIComponent(match[1]!) !== deployment)
      return sendJson(res, 404, { error: { code: 'DeploymentNotFound', message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.' } });
    if (!req.query.get('api-version')) return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    const body = req.json as { messages?: unknown } | undefined;
    if (!body || !Array.isArray(body.messages) || body.messages.length === 0)
      return sendJson(res, 400, { error: { code: 'BadRequest', message: "'messages' is a required property", param: 'messages', type: 'invalid_request_error' } });
    counter += 1;
    sendJson(res, 200, {
      id: `chatcmpl-AaBbCc${counter.toString().padStart(4, '0')}`,
      object: 'chat.completion',
      created: 1772445600 + counter,
      model,
      system_fingerprint: 'fp_5f20662549',
      prompt_filter_results: [{ prompt_index: 0, content_filter_results: filterSafe }],
      choices: [{ index: 0, finish_reason: finishReason, logprobs: null, message: { role: 'assistant', content, refusal: null }, content_filter_results: finishReason === 'content_filter' ? {} : filterSafe }],
      usage: { prompt_tokens: 412, completion_tokens: 38, total_tokens: 450 },
    });
  });
  return {
    ...server,
    endpoint: server.url,
    deployment,
    apiKey,
    answer(next, opts = {}) {
      content = next;
      finishReason = opts.finishReason ?? 'stop';
    },
    delay: (ms) => void (delayMs = ms),
    failNext: (...errors) => void failures.push(...errors),
  };
}

export const fakeAzureOpenAiModel = model;

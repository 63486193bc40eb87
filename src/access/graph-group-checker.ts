import type { TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  GraphError,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type Middleware,
  type ShouldRetry,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { z } from 'zod';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { retryAfterMs } from '../net/retry';
import { isObjectId, type GroupMembershipChecker } from './group-membership';

/** Graph accepts at most 20 group ids per checkMemberGroups call. */
export const checkMemberGroupsLimit = 20;
export const defaultGraphScope = 'https://graph.microsoft.com/.default';

export interface GraphGroupCheckerOptions {
  /** Config `graph.endpoint`, e.g. https://graph.microsoft.com (national clouds differ). */
  endpoint: string;
  /** Config `graph.scope`; national clouds set their own, e.g. https://graph.microsoft.us/.default. */
  scope?: string;
  /** The composition root passes DefaultAzureCredential (needs GroupMember.Read.All + User.Read.All). */
  credential: TokenCredential;
  logger?: Logger;
  /** Budget for one lookup, retries included; default 4 s (a card click waits on it). */
  timeoutMs?: number;
  retry?: {
    /** Default 1: each retry also waits up to 1 s of the client's jitter, and a click is waiting. */
    maxRetries?: number;
    /** Base backoff in seconds when Graph sends no Retry-After; default 0.5. */
    delaySeconds?: number;
    /** A longer Retry-After is not waited for: the lookup fails and config roles apply. Default 2. */
    maxRetryAfterSeconds?: number;
  };
}

const responseSchema = z.object({ value: z.array(z.string()) });

/** Retry-After is either delta-seconds or an HTTP date. */
export function retryAfterSeconds(header: string | null, now = Date.now()): number | undefined {
  const ms = retryAfterMs({ 'retry-after': header }, now);
  return ms === undefined ? undefined : ms / 1000;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof GraphError) {
    if (err.code === 'AbortError' || err.code === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    if (err.statusCode > 0) return `HTTP ${err.statusCode}${err.code ? ` ${err.code}` : ''}`;
  }
  return err instanceof Error && err.message ? err.message : String(err);
}

/**
 * fetch reports every network failure as "fetch failed" with the reason (ECONNREFUSED,
 * ENOTFOUND, a certificate error…) in `cause`, and the Graph client keeps only the message.
 * This link, just before the transport, puts the reason into the message operators will read.
 */
function explainNetworkErrors(): Middleware {
  let next: Middleware | undefined;
  return {
    async execute(context) {
      try {
        await next?.execute(context);
      } catch (err) {
        const cause = err instanceof Error ? (err as { cause?: unknown }).cause : undefined;
        if (err instanceof TypeError && cause instanceof Error) throw new Error(`${err.message}: ${cause.message}`, { cause });
        throw err;
      }
    },
    setNext(middleware) {
      next = middleware;
    },
  };
}

/** The Graph client sends its token only over https, and builds URLs from an origin. */
function parseEndpoint(value: string): URL {
  const invalid = (message: string) =>
    new ArgusError('ARGUS_CONFIG_INVALID', `graph.endpoint ${JSON.stringify(value)} ${message}`, { details: [{ path: 'graph.endpoint', message }] });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('is not a URL');
  }
  if (url.protocol !== 'https:') throw invalid('must use https');
  if (url.pathname !== '/' || url.search) throw invalid('must be an origin such as https://graph.microsoft.com, without a path');
  return url;
}

export function createGraphGroupChecker(options: GraphGroupCheckerOptions): GroupMembershipChecker {
  const endpoint = parseEndpoint(options.endpoint);
  const timeoutMs = options.timeoutMs ?? 4_000;
  const maxRetryAfter = options.retry?.maxRetryAfterSeconds ?? 2;
  // The client's RetryHandler retries 429/503/504 and honours Retry-After; a card click cannot
  // wait minutes, so a long Retry-After ends the lookup instead (the caller falls back).
  const shouldRetry: ShouldRetry = (_delay, _attempt, _request, _options, response) =>
    (retryAfterSeconds(response.headers.get('Retry-After')) ?? 0) <= maxRetryAfter;
  const authProvider = new TokenCredentialAuthenticationProvider(options.credential, { scopes: [options.scope ?? defaultGraphScope] });
  const client = Client.initWithMiddleware({
    // The client's default chain, with our retry policy and readable network errors.
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(options.retry?.delaySeconds ?? 0.5, options.retry?.maxRetries ?? 1, shouldRetry)),
      new TelemetryHandler(),
      explainNetworkErrors(),
      new HTTPMessageHandler(),
    ],
    baseUrl: endpoint.origin,
    defaultVersion: 'v1.0',
    // The client attaches the token only for the public Graph hosts it knows and these: the
    // configured endpoint is by definition a Graph endpoint (a national cloud, a gateway).
    customHosts: new Set([endpoint.hostname]),
  });
  const log = options.logger?.child({ component: 'graph' });

  async function checkBatch(userObjectId: string, groupIds: string[], signal: AbortSignal): Promise<string[]> {
    const body: unknown = await client
      .api(`/users/${encodeURIComponent(userObjectId)}/checkMemberGroups`)
      .option('signal', signal)
      .post({ groupIds });
    const parsed = responseSchema.safeParse(body);
    if (!parsed.success) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', 'Microsoft Graph checkMemberGroups answered without a value list');
    return parsed.data.value;
  }

  return {
    async checkMemberGroups(userObjectId, groupIds) {
      if (!isObjectId(userObjectId)) throw new ArgusError('ARGUS_BAD_REQUEST', 'user object id must be a GUID');
      // Graph compares ids case-insensitively; answers come back in the caller's spelling.
      const spelling = new Map<string, string>();
      for (const id of groupIds) if (!spelling.has(id.toLowerCase())) spelling.set(id.toLowerCase(), id);
      const asked = [...spelling.keys()];
      if (asked.length === 0) return [];
      const batches: string[][] = [];
      for (let i = 0; i < asked.length; i += checkMemberGroupsLimit) batches.push(asked.slice(i, i + checkMemberGroupsLimit));
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const answers = await Promise.all(batches.map((batch) => checkBatch(userObjectId, batch, signal)));
        // Only ids that were asked about count, whatever else an answer holds.
        const member = new Set(answers.flat().map((id) => id.toLowerCase()));
        return asked.filter((id) => member.has(id)).map((id) => spelling.get(id) ?? id);
      } catch (err) {
        if (err instanceof ArgusError) throw err;
        if (err instanceof GraphError && err.statusCode === 404 && err.code === 'Request_ResourceNotFound')
          throw new ArgusError('ARGUS_NOT_FOUND', `user ${userObjectId} is not in the directory`, { cause: err });
        const failure = new ArgusError('ARGUS_DEPENDENCY_FAILED', `Microsoft Graph checkMemberGroups failed: ${describeFailure(err, timeoutMs)}`, {
          cause: err,
        });
        log?.debug({ err: failure, userObjectId, batches: batches.length }, 'group lookup failed');
        throw failure;
      }
    },
  };
}

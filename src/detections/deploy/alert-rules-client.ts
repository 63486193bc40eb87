import type { TokenCredential } from '@azure/identity';
import { ArgusError } from '../../errors/catalog';
import { defaultArmScope, securityInsightsUrl, type SentinelConfig } from '../../incidents/sentinel-client';
import { armErrorDetails, createArmRequester, type ArmResponse, type RetryOptions } from '../../incidents/sentinel-request';
import type { Logger } from '../../logging/logger';
import type { AlertRuleBody } from './alert-rule-body';

/**
 * Sentinel's analytics rules (Microsoft.SecurityInsights/alertRules) as deployment uses them:
 * list, create or update by name, delete. Same ARM requester, token scope and endpoint as the
 * incident client.
 */

export interface AlertRuleResource {
  name: string;
  kind: string;
  etag?: string;
  properties: Record<string, unknown>;
}

export interface AlertRulesClient {
  list(): Promise<AlertRuleResource[]>;
  /** Creates or updates rule `name`; an `etag` in the body makes a concurrent change a conflict. */
  put(name: string, body: AlertRuleBody): Promise<AlertRuleResource>;
  remove(name: string): Promise<void>;
}

export interface AlertRulesClientOptions {
  config: SentinelConfig;
  /** DefaultAzureCredential in production (needs Microsoft Sentinel Contributor on the workspace). */
  credential: TokenCredential;
  log?: Logger;
  retry?: Partial<RetryOptions>;
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const maxPages = 100;

function refused(res: ArmResponse, what: string): ArgusError {
  const details = armErrorDetails(res.status, res.data, 'sentinel');
  return new ArgusError(res.status === 409 || res.status === 412 ? 'ARGUS_CONFLICT' : 'ARGUS_DEPENDENCY_FAILED', `Sentinel refused ${what} (${res.status})`, { details });
}

function toResource(data: unknown): AlertRuleResource | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const r = data as Record<string, unknown>;
  if (typeof r.name !== 'string' || typeof r.kind !== 'string') return undefined;
  const properties = typeof r.properties === 'object' && r.properties !== null ? (r.properties as Record<string, unknown>) : {};
  return { name: r.name, kind: r.kind, ...(typeof r.etag === 'string' ? { etag: r.etag } : {}), properties };
}

export function createAlertRulesClient(options: AlertRulesClientOptions): AlertRulesClient {
  const { config } = options;
  const base = `${securityInsightsUrl(config)}/alertRules`;
  const origin = new URL(base).origin;
  const request = createArmRequester({
    credential: options.credential,
    scope: config.armScope ?? defaultArmScope,
    peer: 'sentinel',
    ...(options.retry ? { retry: options.retry } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const url = (name?: string) => {
    if (name !== undefined && !guid.test(name)) throw new ArgusError('ARGUS_BAD_REQUEST', `not an analytics rule GUID: ${name}`);
    return `${base}${name === undefined ? '' : `/${name}`}?api-version=${encodeURIComponent(config.apiVersion)}`;
  };

  return {
    async list() {
      const out: AlertRuleResource[] = [];
      let next: string | undefined = url();
      for (let page = 0; next && page < maxPages; page += 1) {
        const res = await request({ method: 'GET', url: next });
        if (res.status !== 200) throw refused(res, 'the list of analytics rules');
        const body = (res.data ?? {}) as { value?: unknown; nextLink?: unknown };
        for (const item of Array.isArray(body.value) ? body.value : []) {
          const r = toResource(item);
          if (r) out.push(r);
        }
        next = typeof body.nextLink === 'string' ? body.nextLink : undefined;
        // The token follows nextLink: only ever to the configured ARM endpoint.
        if (next && new URL(next).origin !== origin) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', 'Sentinel sent a nextLink to another host');
      }
      return out;
    },

    async put(name, body) {
      const res = await request({ method: 'PUT', url: url(name), body });
      const resource = res.status === 200 || res.status === 201 ? toResource(res.data) : undefined;
      if (!resource) throw refused(res, `analytics rule ${name}`);
      return resource;
    },

    async remove(name) {
      const res = await request({ method: 'DELETE', url: url(name) });
      if (res.status !== 200 && res.status !== 204 && res.status !== 404) throw refused(res, `the deletion of analytics rule ${name}`);
    },
  };
}

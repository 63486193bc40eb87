import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson, type RecordedRequest } from './http-server';

/**
 * Sentinel's analytics rules on the fake ARM (Microsoft.SecurityInsights/alertRules, api-version
 * 2024-09-01, shapes from the REST API examples): list, get, create or update (PUT, a stale etag
 * is a 409), delete (200, or 204 when there was nothing). A Scheduled rule must carry the
 * properties the API requires.
 */

export type AlertRuleResource = { id: string; name: string; type: string; kind: string; etag: string; properties: Record<string, unknown> };

export interface FakeAlertRules {
  /** Stored rules by lower-cased name. */
  rules: Map<string, AlertRuleResource>;
  /** Stores a rule as if made elsewhere (the portal, another tool). */
  seed(name: string, kind: string, properties: Record<string, unknown>): AlertRuleResource;
  /** Edits a stored rule as the portal would (new etag and modification time). */
  edit(name: string, change: Record<string, unknown>): void;
  /** Answers requests under `…/alertRules`; false for any other path. */
  handle(req: RecordedRequest, res: ServerResponse): boolean;
}

const requiredScheduled = ['displayName', 'enabled', 'severity', 'query', 'queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold', 'suppressionEnabled', 'suppressionDuration'];
const severities = ['High', 'Medium', 'Low', 'Informational'];

function armError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

export function fakeAlertRules(workspacePath: string): FakeAlertRules {
  const collection = `${workspacePath}/alertRules`;
  const rules = new Map<string, AlertRuleResource>();
  const store = (name: string, kind: string, properties: Record<string, unknown>): AlertRuleResource => {
    const resource = {
      id: `${collection}/${name}`,
      name,
      type: 'Microsoft.SecurityInsights/alertRules',
      kind,
      etag: `"${randomUUID()}"`,
      properties: { alertRuleTemplateName: null, ...properties, lastModifiedUtc: new Date().toISOString() },
    };
    rules.set(name.toLowerCase(), resource);
    return resource;
  };

  function put(req: RecordedRequest, res: ServerResponse, name: string): void {
    const body = req.json as { kind?: unknown; etag?: unknown; properties?: Record<string, unknown> } | undefined;
    const props = body?.properties;
    if (typeof body?.kind !== 'string' || !props || typeof props !== 'object') return armError(res, 400, 'BadRequest', 'The request body must contain kind and properties');
    const current = rules.get(name.toLowerCase());
    if (current && body.etag !== undefined && body.etag !== current.etag) return armError(res, 409, 'Conflict', `Newer version of alert rule '${name}' exists`);
    if (body.kind === 'Scheduled') {
      const missing = requiredScheduled.filter((k) => props[k] === undefined);
      if (missing.length) return armError(res, 400, 'BadRequest', `Required properties missing: ${missing.join(', ')}`);
      if (!severities.includes(props.severity as string)) return armError(res, 400, 'BadRequest', `Invalid severity '${String(props.severity)}'`);
      if (typeof props.query !== 'string' || props.query.length > 10_000) return armError(res, 400, 'BadRequest', 'The query length must be between 1 and 10000 characters');
    }
    const stored = store(current?.name ?? name, body.kind, props);
    sendJson(res, current ? 200 : 201, stored);
  }

  return {
    rules,
    seed: store,
    edit(name, change) {
      const current = rules.get(name.toLowerCase());
      if (!current) throw new Error(`no alert rule ${name}`);
      store(current.name, current.kind, { ...current.properties, ...change });
    },
    handle(req, res) {
      if (req.path !== collection && !req.path.startsWith(`${collection}/`)) return false;
      const name = decodeURIComponent(req.path.slice(collection.length + 1));
      if (!name) {
        if (req.method === 'GET') sendJson(res, 200, { value: [...rules.values()] });
        else armError(res, 405, 'MethodNotAllowed', req.method);
        return true;
      }
      const current = rules.get(name.toLowerCase());
      if (req.method === 'PUT') put(req, res, name);
      else if (req.method === 'GET') {
        if (current) sendJson(res, 200, current);
        else armError(res, 404, 'NotFound', `Alert rule '${name}' was not found`);
      } else if (req.method === 'DELETE') {
        rules.delete(name.toLowerCase());
        res.writeHead(current ? 200 : 204);
        res.end();
      } else armError(res, 405, 'MethodNotAllowed', req.method);
      return true;
    },
  };
}

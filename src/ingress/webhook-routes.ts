import type { WebhookRouteName } from '../config/file-schema';
import type { RouteDefinition } from './http-types';
import { createUploadHandler, type UploadSpec } from './upload-handler';
import { createWebhookHandler, type WebhookDeps, type WebhookSpec } from './webhook-handler';

/** Where each route that `webhookAuth.entra.allowedCallers[].routes` can name is served. */
export const webhookRoutePaths: Readonly<Record<WebhookRouteName, string>> = {
  sentinel: '/api/webhooks/sentinel',
  playbooks: '/api/webhooks/playbooks',
  alerts: '/api/webhooks/alerts',
  'itsm-servicenow': '/api/webhooks/itsm/servicenow',
  'itsm-jira': '/api/webhooks/itsm/jira',
  evidence: '/api/evidence',
};

const byPath = new Map(Object.entries(webhookRoutePaths).map(([name, path]) => [path, name as WebhookRouteName]));

/** The route name of a request path; undefined for a path no allow-list entry can name. */
export function webhookRouteOf(path: string): WebhookRouteName | undefined {
  return byPath.get(path);
}

/**
 * A webhook a feature serves: the route it is mounted on and how its body becomes an event
 * (`spec`), or, for raw content such as evidence files, who receives the streamed upload (`upload`).
 */
export type WebhookMount = { route: WebhookRouteName; spec: WebhookSpec<unknown> } | { route: WebhookRouteName; upload: UploadSpec };

/** The HTTP routes of the features' webhooks, each authenticated, parsed and stored the same way. */
export function webhookRoutes(mounts: readonly WebhookMount[], deps: WebhookDeps): RouteDefinition[] {
  return mounts.map((m): RouteDefinition =>
    'upload' in m
      ? { method: 'POST', path: webhookRoutePaths[m.route], readsBody: false, streamsBody: true, bodyLimitBytes: m.upload.bodyLimitBytes, handler: createUploadHandler(m.upload, deps) }
      : { method: 'POST', path: webhookRoutePaths[m.route], readsBody: true, handler: createWebhookHandler(m.spec, deps) },
  );
}

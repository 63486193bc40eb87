import type { WebhookRouteName } from '../config/file-schema';

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

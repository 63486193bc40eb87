import type { SecretProvider } from '../config/secret-provider';
import type { HttpResult, RouteDefinition } from '../ingress/http-types';
import type { MetricsRegistry } from '../ingress/metrics';
import type { TableStore } from '../storage/table-store';

/** GET /healthz, /readyz and /metrics. */
export function operationalRoutes(deps: {
  store: TableStore;
  secrets: SecretProvider;
  checkSecrets: boolean;
  metrics: MetricsRegistry;
}): RouteDefinition[] {
  async function probe(name: string, fn: () => Promise<void>): Promise<{ name: string; ok: boolean; error?: string }> {
    try {
      await fn();
      return { name, ok: true };
    } catch (err) {
      return { name, ok: false, error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
    }
  }
  return [
    { method: 'GET', path: '/healthz', readsBody: false, handler: async () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      readsBody: false,
      handler: async (): Promise<HttpResult> => {
        const checks = await Promise.all([
          probe('storage', () => deps.store.ping()),
          ...(deps.checkSecrets ? [probe('keyVault', () => deps.secrets.ping())] : []),
        ]);
        const failing = checks.filter((c) => !c.ok);
        return { status: failing.length ? 503 : 200, body: { status: failing.length ? 'unavailable' : 'ready', checks, failing: failing.map((f) => f.name) } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      readsBody: false,
      handler: async () => ({ status: 200, text: deps.metrics.render(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
    },
  ];
}

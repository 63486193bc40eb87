import type { SecretProvider } from '../config/secret-provider';
import type { HttpResult, RouteDefinition } from '../ingress/http-types';
import { isLoopbackAddress } from '../net/loopback';
import type { MetricsRegistry } from '../observability/metrics';
import type { TableStore } from '../storage/table-store';

/** GET /healthz, /readyz and /metrics. */
export function operationalRoutes(deps: {
  store: TableStore;
  secrets: SecretProvider;
  checkSecrets: boolean;
  metrics: MetricsRegistry;
  /** Reads the event queue (proves the queue service answers). */
  queue: () => Promise<unknown>;
}): RouteDefinition[] {
  async function probe(name: string, fn: () => Promise<void>): Promise<{ name: string; ok: boolean; error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // A dependency that hangs is as unready as one that refuses: answer within a few seconds.
      await Promise.race([fn(), new Promise((_r, reject) => (timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3_000)))]);
      return { name, ok: true };
    } catch (err) {
      return { name, ok: false, error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
    } finally {
      clearTimeout(timer);
    }
  }
  return [
    { method: 'GET', path: '/healthz', readsBody: false, handler: async () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      readsBody: false,
      handler: async (req): Promise<HttpResult> => {
        const checks = await Promise.all([
          probe('storage', () => deps.store.ping()),
          probe('queue', async () => void (await deps.queue())),
          ...(deps.checkSecrets ? [probe('keyVault', () => deps.secrets.ping())] : []),
        ]);
        const failing = checks.filter((c) => !c.ok);
        const body = { status: failing.length ? 'unavailable' : 'ready', failing: failing.map((f) => f.name) };
        // Error texts name storage accounts, vault URLs and addresses: only a caller on this machine sees them.
        const local = isLoopbackAddress(req.remoteAddress);
        return { status: failing.length ? 503 : 200, body: local ? { ...body, checks } : body };
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

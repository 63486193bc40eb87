import type { SecretProvider } from '../config/secret-provider';
import type { HttpResult, RouteDefinition } from '../ingress/http-types';
import type { ReadinessDetail } from './feature';
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
  /** Degraded parts that do not make Argus unready (features' `readiness`). */
  details?: ReadinessDetail[];
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
  /** Each detail by name; one that fails or hangs reads as not ok, with its error. */
  async function readDetails(parts: ReadinessDetail[]): Promise<Record<string, { ok: boolean } & Record<string, unknown>>> {
    const read = await Promise.all(
      parts.map(async (d) => {
        let value: { ok: boolean } & Record<string, unknown> = { ok: true };
        const probed = await probe(d.name, async () => void (value = await d.read()));
        return [d.name, probed.ok ? value : { ok: false, error: probed.error }] as const;
      }),
    );
    return Object.fromEntries(read);
  }
  return [
    { method: 'GET', path: '/healthz', readsBody: false, handler: async () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      readsBody: false,
      handler: async (req): Promise<HttpResult> => {
        const [checks, details] = await Promise.all([
          Promise.all([
            probe('storage', () => deps.store.ping()),
            probe('queue', async () => void (await deps.queue())),
            ...(deps.checkSecrets ? [probe('keyVault', () => deps.secrets.ping())] : []),
          ]),
          readDetails(deps.details ?? []),
        ]);
        const failing = checks.filter((c) => !c.ok);
        // Unready already says more than a degraded part could.
        const degraded = failing.length ? [] : Object.entries(details).filter(([, d]) => !d.ok).map(([name]) => name);
        const body = { status: failing.length ? 'unavailable' : 'ready', failing: failing.map((f) => f.name), ...(degraded.length ? { degraded } : {}) };
        // Error texts name storage accounts, vault URLs and addresses: only a caller on this machine sees them.
        const local = isLoopbackAddress(req.remoteAddress);
        return { status: failing.length ? 503 : 200, body: local ? { ...body, checks, ...(deps.details?.length ? { details } : {}) } : body };
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

import type { EnrichmentConfig } from '../config/enrichment-schema';
import { secretNames, type SecretProvider } from '../config/secret-provider';
import { intelSourceNames, intelSources, type IntelSource } from '../triage/types';
import type { IntelQuota } from './quota';

/**
 * Whether each intel source can be asked, for `argus doctor`, `/readyz` details and `argus intel
 * quota`: configured (an `enrichment.<source>` section), its key present (secret), and available —
 * not refused by the source (a 401/403 marks it in the shared quota table until a lookup succeeds)
 * — or why not. Throttling (429) is not unavailability: lookups wait and go on.
 */

export interface SourceHealth {
  source: IntelSource;
  configured: boolean;
  /** The secret holding the API key. */
  secret: string;
  /** Only for a configured source. */
  keyPresent?: boolean;
  available: boolean;
  /** Why it is not available, in plain words. */
  reason?: string;
  /** Since when the source refuses our key (ISO time). */
  since?: string;
  /** A 429 asked us to wait until then (ISO time); lookups wait meanwhile. */
  throttledUntil?: string;
}

export const sourceSecrets: Record<IntelSource, string> = { virustotal: secretNames.virustotalApiKey, abuseipdb: secretNames.abuseipdbApiKey };

export interface SourceHealthDeps {
  secrets: Pick<SecretProvider, 'get'>;
  /** The shared quota table (its state rows); absent when enrichment is not configured. */
  quota?: Pick<IntelQuota, 'status'>;
}

/** Both sources, configured or not, in a fixed order. */
export async function sourceHealth(enrichment: EnrichmentConfig | undefined, deps: SourceHealthDeps): Promise<SourceHealth[]> {
  const statuses = enrichment && deps.quota ? await deps.quota.status() : [];
  const out: SourceHealth[] = [];
  for (const source of intelSources) {
    const secret = sourceSecrets[source];
    if (!enrichment?.[source]) {
      const reason = enrichment ? `enrichment.${source} is not configured` : 'enrichment is not configured';
      out.push({ source, configured: false, secret, available: false, reason });
      continue;
    }
    const keyPresent = Boolean(await deps.secrets.get(secret));
    const status = statuses.find((s) => s.source === source);
    const refused = status?.unavailable;
    const reason = !keyPresent ? `the secret ${secret} is not set` : refused ? `${intelSourceNames[source]} refused the key: ${refused.reason}` : undefined;
    out.push({
      source,
      configured: true,
      secret,
      keyPresent,
      available: reason === undefined,
      ...(reason ? { reason } : {}),
      ...(refused?.since ? { since: refused.since } : {}),
      ...(status?.throttledUntil ? { throttledUntil: status.throttledUntil } : {}),
    });
  }
  return out;
}

/** One line for `argus doctor`; `ok` false when a configured source cannot be asked. */
export function healthLine(h: SourceHealth): { ok: boolean; text: string } {
  if (!h.configured) return { ok: true, text: `not configured (${h.reason}): not looked up` };
  const key = `key ${h.secret} ${h.keyPresent ? 'present' : 'missing'}`;
  if (!h.available) return { ok: false, text: `configured, ${key}, unavailable${h.since ? ` since ${h.since}` : ''}: ${h.reason}` };
  return { ok: true, text: `configured, ${key}, available${h.throttledUntil ? ` (throttled until ${h.throttledUntil}; lookups wait)` : ''}` };
}

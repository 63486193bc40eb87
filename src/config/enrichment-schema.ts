import { z } from 'zod';
import { parseNeverSendEntry } from '../enrichment/send-policy';
import { isLoopbackHostHeader } from '../net/loopback';
import { parseIsoDuration } from '../playbooks/duration';

/**
 * The `enrichment` section of `argus.config.yaml` (ARCHITECTURE §8, docs/triage.md): the intel
 * sources looked up, their quotas (the free tiers by default), how long answers are kept, what is
 * never sent out, and how long an alert waits for a lookup. Absent: no lookups. A source left out
 * is not asked. Kept apart from file-schema.ts, which imports it (so this file must not import it).
 */

const duration = (example: string) => z.string().refine((text) => (parseIsoDuration(text) ?? 0) > 0, `must be an ISO-8601 duration above zero such as ${example}`);

/** The API key goes with every call: https only (plain http for loopback test peers). */
const apiUrl = z.url().refine((text) => {
  const url = new URL(text);
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostHeader(url.host));
}, 'must use https (plain http is accepted for loopback addresses only)');

/** How much a source's answer counts in the score (weighted log-odds). */
const weight = z.number().min(0).max(10);

/** Lookups allowed; the day resets at 00:00 UTC. */
const quota = z.strictObject({
  perMinute: z.number().int().min(1).max(1_000_000).optional(),
  perDay: z.number().int().min(1).max(100_000_000),
});

const virusTotalSchema = z.strictObject({
  apiUrl: apiUrl.default('https://www.virustotal.com/api/v3'),
  weight: weight.default(1),
  /** The public API: 4 lookups a minute, 500 a day. */
  quota: quota.default({ perMinute: 4, perDay: 500 }),
});

const abuseIpdbSchema = z.strictObject({
  apiUrl: apiUrl.default('https://api.abuseipdb.com/api/v2'),
  weight: weight.default(0.8),
  /** The free plan: 1,000 checks a day. */
  quota: quota.default({ perDay: 1000 }),
  /** Reports older than this many days are not counted (AbuseIPDB accepts 1–365). */
  maxAgeInDays: z.number().int().min(1).max(365).default(90),
});

const neverSendEntry = z.string().superRefine((text, ctx) => {
  const entry = parseNeverSendEntry(text);
  if (entry.kind === 'invalid') ctx.addIssue({ code: 'custom', message: entry.reason });
});

export const enrichmentSchema = z
  .strictObject({
    virustotal: virusTotalSchema.optional(),
    abuseipdb: abuseIpdbSchema.optional(),
    /** How long an answer is kept, per verdict (a suspicious one as long as a clean one). */
    cache: z
      .strictObject({
        malicious: duration('P7D').default('P7D'),
        clean: duration('P1D').default('P1D'),
        unknown: duration('PT6H').default('PT6H'),
      })
      .prefault({}),
    /** Networks and domains (with their subdomains) never sent to a source, besides private and reserved ranges. */
    neverSend: z.array(neverSendEntry).default([]),
    /** An alert whose lookup waited this long is decided without that source. */
    maxWait: duration('PT10M').default('PT10M'),
  })
  .superRefine((e, ctx) => {
    if (!e.virustotal && !e.abuseipdb)
      ctx.addIssue({ code: 'custom', path: ['virustotal'], message: 'name at least one source (virustotal or abuseipdb, {} for the defaults); leave enrichment out for no lookups' });
  });

export type EnrichmentConfig = z.output<typeof enrichmentSchema>;

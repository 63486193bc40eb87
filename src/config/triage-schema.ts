import { z } from 'zod';
import { compileCidr } from '../detections/cidr';
import { isLoopbackHostHeader } from '../net/loopback';
import { parseIsoDuration } from '../playbooks/duration';

/**
 * The `triage` and `llm` sections of `argus.config.yaml` (ARCHITECTURE §8, docs/triage.md).
 * Kept apart from file-schema.ts, which imports it (so this file must not import file-schema.ts).
 */

/** ISO-8601 duration above zero, such as PT1H. */
const duration = z.string().refine((text) => (parseIsoDuration(text) ?? 0) > 0, 'must be an ISO-8601 duration above zero such as PT1H');

const cidr = z.string().superRefine((text, ctx) => {
  try {
    compileCidr(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `${(err as Error).message}: must be an IP address or CIDR network such as 203.0.113.0/24` });
  }
});

const domain = z
  .string()
  .regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i, 'must be a domain name such as corp.example.com')
  .max(253);

const hash = z.string().regex(/^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i, 'must be an MD5, SHA-1 or SHA-256 hash in hex');

/** A host name, `*` standing for any run of characters (DC*, *.corp.example.com). */
const hostPattern = z.string().regex(/^[a-z0-9*]([a-z0-9*.-]{0,252})$/i, 'must be a host name, * matching any characters (DC*, FILESRV-02)');

export const triageRuleActions = ['always-escalate', 'never-auto-close', 'auto-close'] as const;
export type TriageRuleAction = (typeof triageRuleActions)[number];

const probability = z.number().min(0).max(1);

const thresholdsSchema = z
  .strictObject({
    /** A score below this is auto-closed. */
    autoCloseBelow: probability.default(0.2),
    /** A score at or above this is escalated. */
    escalateAtOrAbove: probability.default(0.8),
  })
  .superRefine((t, ctx) => {
    if (!(t.autoCloseBelow < t.escalateAtOrAbove))
      ctx.addIssue({ code: 'custom', path: ['autoCloseBelow'], message: `must be below escalateAtOrAbove (${t.autoCloseBelow} is not below ${t.escalateAtOrAbove})` });
  });

export const triageSchema = z.strictObject({
  /** Where review cards go; absent: the routing rules decide. */
  conversationId: z.string().min(1).optional(),
  thresholds: thresholdsSchema.prefault({}),
  /** Alerts of one rule on one host within this window join one incident. */
  groupWindow: duration.default('PT1H'),
  /** Indicators that count as clean, never looked up. */
  allow: z
    .strictObject({
      ips: z.array(cidr).default([]),
      domains: z.array(domain).default([]),
      hashes: z.array(hash).default([]),
    })
    .prefault({}),
  /** Hosts whose alerts never auto-close (case-insensitive). */
  criticalAssets: z.array(hostPattern).default([]),
  /** Per detection rule id: an action that overrides the score. */
  rules: z.record(z.string().min(1).max(200), z.enum(triageRuleActions, { error: `must be one of ${triageRuleActions.join(', ')}` })).default({}),
});
export type TriageConfig = z.output<typeof triageSchema>;

/** Optional advisory summary by Azure OpenAI chat completions; never changes a decision. */
export const llmSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** The key goes with every call: https only (plain http for loopback test peers). */
    endpoint: z
      .url()
      .refine((text) => {
        const url = new URL(text);
        return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHostHeader(url.host));
      }, 'must use https (plain http is accepted for loopback addresses only)')
      .optional(),
    deployment: z.string().min(1).optional(),
    apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'must be an API version such as 2024-10-21').default('2024-10-21'),
  })
  .superRefine((llm, ctx) => {
    if (!llm.enabled) return;
    if (!llm.endpoint) ctx.addIssue({ code: 'custom', path: ['endpoint'], message: 'required when llm.enabled is true' });
    if (!llm.deployment) ctx.addIssue({ code: 'custom', path: ['deployment'], message: 'required when llm.enabled is true' });
  });
export type LlmConfig = z.output<typeof llmSchema>;

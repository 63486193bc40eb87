import { createHash } from 'node:crypto';
import { z } from 'zod';
import { zodDetails } from '../config/load-config';
import type { PlaybookRunReportPayload } from '../events/event-map';
import type { WebhookSpec } from '../ingress/webhook-handler';

/** Largest `output` kept with a run (JSON characters); a bigger one is kept as a preview. */
const maxOutputChars = 8000;

const incidentName = /^[0-9A-Za-z][0-9A-Za-z_-]{0,127}$/;

/** A Sentinel-triggered Logic App knows the incident as its name or its ARM id: the name is what counts. */
const incidentId = z
  .string()
  .max(1000)
  .transform((v) => v.trim().split(/\/incidents\//i).pop() ?? '')
  .refine((v) => incidentName.test(v), 'must be the incident name (a GUID) or its resource id');

export const playbookCallbackSchema = z
  .object({
    runId: z.uuid().optional(),
    incidentId: incidentId.optional(),
    playbookId: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a playbook id').optional(),
    status: z.enum(['running', 'succeeded', 'failed']),
    message: z.string().max(4000).optional(),
    output: z.unknown().optional(),
  })
  .refine((v) => v.runId !== undefined || (v.incidentId !== undefined && v.playbookId !== undefined), {
    path: ['runId'],
    message: 'runId is required (or incidentId with playbookId, for playbooks Sentinel started)',
  });

function capOutput(output: unknown): unknown {
  if (output === undefined) return undefined;
  const text = JSON.stringify(output);
  return text.length <= maxOutputChars ? output : { truncated: true, preview: text.slice(0, 2000) };
}

/**
 * POST /api/webhooks/playbooks, signed with `playbook-callback-secret`: a Logic App reports a run as
 * running, succeeded or failed. HTTP-triggered ones echo the runId they were given; Sentinel-started
 * ones cannot know it and send the incident and playbook ids instead.
 */
export function playbookCallbackSpec(secretName: string): WebhookSpec<PlaybookRunReportPayload> {
  return {
    source: 'playbooks',
    secretName,
    scheme: 'argus',
    parse(json) {
      const parsed = playbookCallbackSchema.safeParse(json);
      if (!parsed.success) return { ok: false, details: zodDetails(parsed.error) };
      const v = parsed.data;
      return {
        ok: true,
        value: { runId: v.runId, incidentName: v.incidentId, playbookId: v.playbookId, status: v.status, message: v.message, output: capOutput(v.output) },
      };
    },
    toEvent(value) {
      const who = value.runId ?? `${value.incidentName}|${value.playbookId}`;
      const digest = createHash('sha256')
        .update(JSON.stringify([value.message ?? null, value.output ?? null]))
        .digest('hex')
        .slice(0, 16);
      return { name: 'playbook.run.reported', source: 'playbooks', idempotencyKey: `report|${who}|${value.status}|${digest}`, payload: value };
    },
  };
}

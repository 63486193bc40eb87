import { z } from 'zod';
import { isoDuration, severitySchema } from '../config/file-schema';
import { secretNamePattern } from '../config/secret-provider';
import { knownEntityKinds } from '../incidents/incident';
import { parseIsoDuration } from './duration';

/** Schema of one `playbooks/*.yaml` definition. Unknown keys are errors, as in the config file. */

const canonicalKinds = new Map<string, string>(knownEntityKinds.map((k) => [k.toLowerCase(), k]));

/** Sentinel's spelling of an entity kind (`host` → `Host`); anything else is a mistake worth reporting. */
const entityKind = z.string().transform((value, ctx) => {
  const kind = canonicalKinds.get(value.toLowerCase());
  if (!kind) {
    ctx.addIssue({ code: 'custom', message: `'${value.slice(0, 40)}' is not a Sentinel entity kind (${knownEntityKinds.slice(0, 6).join(', ')}, …)` });
    return z.NEVER;
  }
  return kind;
});

/** A duration within bounds, kept as written and as milliseconds. */
function boundedDuration(max: string) {
  const maxMs = parseIsoDuration(max) ?? 0;
  return isoDuration.refine((v) => {
    const ms = parseIsoDuration(v) ?? 0;
    return ms > 0 && ms <= maxMs;
  }, `must be more than zero and at most ${max}`);
}

const approvalSchema = z.discriminatedUnion('required', [
  z.strictObject({ required: z.literal(false) }),
  z.strictObject({
    required: z.literal(true),
    /** Who may approve (never the requester, never a federated user). */
    approverRole: z.enum(['responder', 'admin']).default('admin'),
    /** How long the request waits for a decision. */
    expiresAfter: boundedDuration('P7D'),
  }),
]);

const logicAppId = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Logic\/workflows\/[^/]+$/i;

const targetSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('sentinel'),
    /**
     * The Logic App Sentinel runs (POST …/incidents/{id}/runPlaybook). `{subscriptionId}` and
     * `{resourceGroup}` are filled from the `sentinel` config section, so one file fits every workspace.
     */
    logicAppResourceId: z
      .string()
      .refine((v) => logicAppId.test(v.replace('{subscriptionId}', 'x').replace('{resourceGroup}', 'x')), {
        message: 'must be /subscriptions/…/resourceGroups/…/providers/Microsoft.Logic/workflows/<name>',
      }),
  }),
  z.strictObject({
    type: z.literal('http'),
    /** Name of the secret holding the Logic App HTTP trigger URL (it carries a SAS signature). */
    urlSecret: z.string().regex(secretNamePattern, 'must be a secret name: letters, digits and dashes'),
  }),
]);

export const playbookSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and dashes (2-63)'),
    title: z.string().trim().min(1).max(80),
    description: z.string().trim().min(1).max(1000),
    /** Button text; `{entity}` becomes the entity's name. Default: "<title> <entity>". */
    label: z.string().trim().min(1).max(80).optional(),
    appliesTo: z.strictObject({
      entityKinds: z.array(entityKind).min(1),
      severities: z.array(severitySchema).min(1).optional(),
      tactics: z.array(z.string().min(1)).min(1).optional(),
      alertProducts: z.array(z.string().min(1)).min(1).optional(),
    }),
    /** The entity kind a run acts on: one button per such entity of the incident. */
    actsOn: entityKind,
    requiredRole: z.enum(['responder', 'admin']).default('responder'),
    approval: approvalSchema.default({ required: false }),
    target: targetSchema,
    /** How long a started run may take before it ends as timed out. */
    timeout: boundedDuration('P1D').default('PT15M'),
  })
  .superRefine((p, ctx) => {
    if (!p.appliesTo.entityKinds.includes(p.actsOn))
      ctx.addIssue({ code: 'custom', path: ['actsOn'], message: `must be one of appliesTo.entityKinds (${p.appliesTo.entityKinds.join(', ')})` });
  });

export type PlaybookDefinition = z.output<typeof playbookSchema>;

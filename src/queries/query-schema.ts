import { z } from 'zod';
import { knownEntityKinds } from '../incidents/incident';
import { parseIsoDuration } from '../playbooks/duration';

/** Schema of one `queries/*.yaml` definition (docs/queries.md). Unknown keys are errors, as in the config file. */

const canonicalKinds = new Map<string, string>(knownEntityKinds.map((k) => [k.toLowerCase(), k]));

/** Sentinel's spelling of an entity kind (`host` → `Host`); anything else is a mistake worth reporting. */
const entityKind = z.string().transform((value, ctx) => {
  const kind = canonicalKinds.get(value.toLowerCase());
  if (!kind) {
    ctx.addIssue({ code: 'custom', message: `'${value.slice(0, 40)}' is not a Sentinel entity kind (${knownEntityKinds.slice(0, 5).join(', ')}, …)` });
    return z.NEVER;
  }
  return kind;
});

export const parameterTypes = ['string', 'datetime', 'int'] as const;
export type ParameterType = (typeof parameterTypes)[number];

/** Incident fields a parameter may take instead of an entity property. */
export const incidentSources = ['incident.number', 'incident.createdTimeUtc', 'incident.firstActivityTimeUtc', 'incident.lastActivityTimeUtc'] as const;

/** A KQL identifier Argus declares with `let`: letters, digits, underscore; not starting with a digit. */
const parameterName = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const parameterSchema = z.strictObject({
  /** An entity property (`hostName`, `address`, `upnSuffix`…, matched ignoring case) or an incident field (`incident.firstActivityTimeUtc`). */
  from: z
    .string()
    .regex(/^(incident\.)?[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be an entity property name such as hostName, or incident.<field>')
    .refine((v) => !v.startsWith('incident.') || (incidentSources as readonly string[]).includes(v), `an incident field must be one of ${incidentSources.join(', ')}`),
  type: z.enum(parameterTypes).default('string'),
});

/** Log Analytics accepts at most two years of data per query. */
const maxTimespanMs = 730 * 86_400_000;

export const querySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower-case letters, digits and dashes (2-63)'),
    /** What the button and the answer say; `{entity}` becomes the entity's name. */
    title: z.string().trim().min(1).max(80),
    description: z.string().trim().min(1).max(1000).optional(),
    /** The entity kind the query investigates: the Investigate menu of each such entity offers it. */
    appliesTo: entityKind,
    /** The query text. Parameters are declared before it with `let`: never write their values in here. */
    kql: z.string().trim().min(1).max(10_000),
    parameters: z
      .record(z.string(), parameterSchema)
      .default({})
      .refine((p) => Object.keys(p).length <= 10, 'at most 10 parameters'),
    /** The time range the API applies on top of the query's own filters, e.g. P1D. */
    timespan: z.string().refine((v) => {
      const ms = parseIsoDuration(v) ?? 0;
      return ms > 0 && ms <= maxTimespanMs;
    }, 'must be an ISO-8601 duration above zero and at most P730D, such as P1D'),
    requiredRole: z.enum(['reader', 'responder', 'admin']).default('responder'),
  })
  .superRefine((q, ctx) => {
    // A parameter the query never mentions is a typo in one of the two places.
    for (const name of Object.keys(q.parameters)) {
      if (!parameterName.test(name)) ctx.addIssue({ code: 'custom', path: ['parameters', name], message: 'must be a KQL identifier: letters, digits and _, not starting with a digit' });
      else if (!new RegExp(`\\b${name}\\b`).test(q.kql)) ctx.addIssue({ code: 'custom', path: ['parameters', name], message: `'${name}' is not used in kql` });
    }
  });

export type QueryDefinition = z.output<typeof querySchema>;
export type QueryParameter = QueryDefinition['parameters'][string];

import { z } from 'zod';
import { formatIssuePath } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import {
  classificationReasons,
  classifications,
  incidentStatuses,
  severities,
  type Classification,
  type ClassificationReason,
  type IncidentOwner,
  type IncidentStatus,
  type Severity,
} from './incident';

/** A change Argus asks Sentinel to make to one incident. */
export interface IncidentChange {
  status?: IncidentStatus;
  severity?: Severity;
  /** The new owner; `{}` unassigns. Sentinel fills in the rest from the objectId. */
  owner?: IncidentOwner;
  classification?: Classification;
  classificationReason?: ClassificationReason;
  classificationComment?: string;
}

/** Which reasons Sentinel accepts with each classification. */
const reasonsFor: Record<Classification, readonly ClassificationReason[]> = {
  TruePositive: ['SuspiciousActivity'],
  BenignPositive: ['SuspiciousButExpected'],
  FalsePositive: ['IncorrectAlertLogic', 'InaccurateData'],
  Undetermined: [],
};

const guid = z.string().regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a GUID');

// Changes come from card actions, i.e. from outside: checked at runtime, not only by the compiler.
const incidentChangeSchema = z
  .strictObject({
    status: z.enum(incidentStatuses).optional(),
    severity: z.enum(severities).optional(),
    owner: z
      .strictObject({
        objectId: guid.optional(),
        email: z.string().min(1).optional(),
        assignedTo: z.string().min(1).optional(),
        userPrincipalName: z.string().min(1).optional(),
      })
      .optional(),
    classification: z.enum(classifications).optional(),
    classificationReason: z.enum(classificationReasons).optional(),
    classificationComment: z.string().max(4000).optional(),
  })
  .superRefine((change, ctx) => {
    if (Object.values(change).every((v) => v === undefined))
      ctx.addIssue({ code: 'custom', path: [], message: 'the change is empty: nothing to update' });
    // Sentinel answers 400 to a close without classification; say so before calling it.
    if (change.status === 'Closed' && !change.classification)
      ctx.addIssue({ code: 'custom', path: ['classification'], message: 'closing an incident requires a classification' });
    const classifying = change.classification ?? change.classificationReason ?? change.classificationComment;
    if (classifying !== undefined && change.status !== 'Closed')
      ctx.addIssue({ code: 'custom', path: ['status'], message: 'a classification is only given when closing (status Closed)' });
    if (change.classificationReason && change.classification) {
      const allowed = reasonsFor[change.classification];
      if (!allowed.includes(change.classificationReason))
        ctx.addIssue({
          code: 'custom',
          path: ['classificationReason'],
          message: allowed.length
            ? `must be one of ${allowed.join(', ')} for ${change.classification}`
            : `${change.classification} takes no reason`,
        });
    }
  });

/** Checks a change before any call to Sentinel; throws ARGUS_BAD_REQUEST naming the fields. */
export function validateIncidentChange(change: unknown): IncidentChange {
  const parsed = incidentChangeSchema.safeParse(change);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => {
    const path = formatIssuePath(i.path);
    return path ? { path, message: i.message } : { message: i.message };
  });
  throw new ArgusError('ARGUS_BAD_REQUEST', 'The incident change is invalid', { details });
}

/**
 * Computed by Sentinel, not writable: left out of the PUT body. Everything else the GET returned is
 * sent back unchanged, because a PUT replaces the resource and would otherwise drop the
 * description, labels or activity times.
 */
const readOnlyProperties = new Set([
  'additionalData', 'createdTimeUtc', 'lastModifiedTimeUtc', 'incidentNumber', 'incidentUrl',
  'relatedAnalyticRuleIds', 'providerIncidentUrl', 'teamInformation', 'alerts', 'Alerts', 'relatedEntities',
]);

/** The `properties` of the PUT that applies `change` onto the current incident's properties. */
export function applyIncidentChange(current: Record<string, unknown>, change: IncidentChange): Record<string, unknown> {
  const next: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(current)) if (!readOnlyProperties.has(key)) next[key] = value;
  if (change.status) next.status = change.status;
  if (change.severity) next.severity = change.severity;
  if (change.owner) {
    const o = change.owner;
    next.owner = {
      objectId: o.objectId ?? null,
      email: o.email ?? null,
      assignedTo: o.assignedTo ?? null,
      userPrincipalName: o.userPrincipalName ?? null,
    };
  }
  if (change.classification) {
    // A new classification replaces the whole verdict: an old reason may not fit the new one.
    next.classification = change.classification;
    delete next.classificationReason;
    delete next.classificationComment;
    if (change.classificationReason) next.classificationReason = change.classificationReason;
    if (change.classificationComment) next.classificationComment = change.classificationComment;
  }
  return next;
}

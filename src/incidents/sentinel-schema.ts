import { z } from 'zod';
import { classificationReasons, classifications, incidentStatuses, severities } from './incident';

/**
 * Zod schemas for what Sentinel sends: the Logic App "Microsoft Sentinel incident" trigger body
 * and the incident resource of the REST API. Objects are loose because Sentinel adds fields over
 * time; only what Argus needs is required (name, number, title, severity, status,
 * lastModifiedTimeUtc). Unset fields arrive as `null` in Logic App bodies, hence `nullish`.
 */

const optionalText = z.string().nullish();
const timestamp = z.iso.datetime({ offset: true });
const textList = z.array(z.string()).nullish();
const jsonObject = z.record(z.string(), z.unknown());

export const sentinelEntitySchema = z.looseObject({
  id: optionalText,
  name: optionalText,
  /** Host, Account, Ip, …; kinds Argus does not know are kept, not rejected. */
  kind: z.string().min(1),
  properties: jsonObject.nullish(),
});

export const sentinelAlertSchema = z.looseObject({
  id: optionalText,
  name: optionalText,
  kind: optionalText,
  properties: z
    .looseObject({
      alertDisplayName: optionalText,
      friendlyName: optionalText,
      description: optionalText,
      severity: optionalText,
      status: optionalText,
      productName: optionalText,
      providerName: optionalText,
      vendorName: optionalText,
      systemAlertId: optionalText,
      tactics: textList,
      techniques: textList,
      /** Some connectors send custom details as an object, most as a JSON string in additionalData. */
      customDetails: z.union([z.string(), jsonObject]).nullish(),
      additionalData: jsonObject.nullish(),
    })
    .nullish(),
});

const labelSchema = z.union([
  z.string(),
  z.looseObject({ labelName: z.string(), labelType: optionalText }),
]);

const ownerSchema = z.looseObject({
  objectId: optionalText,
  email: optionalText,
  assignedTo: optionalText,
  userPrincipalName: optionalText,
});

export const sentinelIncidentPropertiesSchema = z.looseObject({
  title: z.string().min(1),
  description: optionalText,
  severity: z.enum(severities),
  status: z.enum(incidentStatuses),
  incidentNumber: z.number().int().nonnegative(),
  lastModifiedTimeUtc: timestamp,
  createdTimeUtc: timestamp.nullish(),
  firstActivityTimeUtc: timestamp.nullish(),
  lastActivityTimeUtc: timestamp.nullish(),
  // Classification fields are informational for Argus: a value Sentinel introduces later (or an
  // empty string from a Logic App expression) is dropped rather than rejecting the incident.
  classification: z.enum(classifications).nullish().catch(undefined),
  classificationReason: z.enum(classificationReasons).nullish().catch(undefined),
  classificationComment: optionalText,
  owner: ownerSchema.nullish(),
  labels: z.array(labelSchema).nullish(),
  incidentUrl: optionalText,
  providerName: optionalText,
  providerIncidentId: optionalText,
  additionalData: z
    .looseObject({
      alertsCount: z.number().int().nonnegative().nullish(),
      alertProductNames: textList,
      tactics: textList,
      techniques: textList,
    })
    .nullish(),
  /** The Logic App trigger spells the alert list `Alerts`; some tenants send `alerts`. */
  Alerts: z.array(sentinelAlertSchema).nullish(),
  alerts: z.array(sentinelAlertSchema).nullish(),
  relatedEntities: z.array(sentinelEntitySchema).nullish(),
});

/** The REST shape of an incident: `{id, name, etag, type, properties}`. */
export const sentinelIncidentResourceSchema = z.looseObject({
  id: optionalText,
  name: z.string().min(1),
  etag: optionalText,
  type: optionalText,
  properties: sentinelIncidentPropertiesSchema,
});

/** Either `updatedFields: ["Status", …]` or per-field flags such as `statusUpdated: true`. */
export const sentinelIncidentUpdatesSchema = z.looseObject({
  updatedFields: textList,
  updatedTime: optionalText,
  updatedBy: z.looseObject({ source: optionalText, name: optionalText }).nullish(),
});

/** The Logic App "Microsoft Sentinel incident" trigger body. */
export const sentinelTriggerEnvelopeSchema = z.looseObject({
  eventUniqueId: optionalText,
  objectSchemaType: optionalText.refine((v) => v == null || /^incident$/i.test(v), {
    message: 'must be "Incident": only incident triggers are accepted here',
  }),
  objectEventType: optionalText.refine((v) => v == null || /^(create|update)$/i.test(v), {
    message: 'must be "Create" or "Update"',
  }),
  workspaceId: optionalText,
  workspaceInfo: z
    .looseObject({
      SubscriptionId: optionalText,
      ResourceGroupName: optionalText,
      WorkspaceName: optionalText,
      WorkspaceId: optionalText,
    })
    .nullish(),
  incidentUpdates: sentinelIncidentUpdatesSchema.nullish(),
  object: sentinelIncidentResourceSchema,
});

export type SentinelEntity = z.output<typeof sentinelEntitySchema>;
export type SentinelAlert = z.output<typeof sentinelAlertSchema>;
export type SentinelIncidentProperties = z.output<typeof sentinelIncidentPropertiesSchema>;
export type SentinelIncidentResource = z.output<typeof sentinelIncidentResourceSchema>;
export type SentinelTriggerEnvelope = z.output<typeof sentinelTriggerEnvelopeSchema>;

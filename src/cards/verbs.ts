/**
 * `Action.Execute` verbs the cards send and the input ids their forms submit. Card action handlers
 * read `action.data` with these names; `data.incidentId` is always the incident's `name`.
 */
export const incidentVerbs = {
  acknowledge: 'incident.acknowledge',
  assign: 'incident.assign',
  severity: 'incident.severity',
  close: 'incident.close',
  comment: 'incident.comment',
  refresh: 'incident.refresh',
  view: 'incident.view',
  /** The card with the ATT&CK chain and the latest timeline entries, for the one who asked. */
  timeline: 'incident.timeline',
} as const;
export type IncidentVerb = (typeof incidentVerbs)[keyof typeof incidentVerbs];

/**
 * Form inputs per verb. Input ids must be unique in a whole card, so the close form's optional
 * comment is `classificationComment` (Sentinel's own field name) and the comment form's is `comment`.
 */
export const incidentInputs = {
  'incident.assign': ['assignee'],
  'incident.severity': ['severity'],
  'incident.close': ['classification', 'classificationReason', 'classificationComment'],
  'incident.comment': ['comment'],
} as const satisfies Partial<Record<IncidentVerb, readonly string[]>>;

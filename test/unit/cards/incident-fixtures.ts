import type { Incident, IncidentEntity, IncidentStatus, Severity } from '../../../src/incidents/incident';
import { fixture } from '../../helpers/shared';

type Json = Record<string, any>;

function readFixture(name: string): Json {
  return fixture<Json>(`sentinel/${name}`);
}

/** Display names the way a person reads them (the product's own mapping lives in src/incidents). */
function displayName(kind: string, p: Json): string {
  if (kind === 'Host') return `${p.hostName}.${p.dnsDomain}`;
  if (kind === 'Account') return `${p.accountName}@${p.upnSuffix}`;
  if (kind === 'Ip') return p.address;
  if (kind === 'Url') return p.url;
  if (kind === 'FileHash') return `${p.algorithm}:${p.hashValue}`;
  return p.friendlyName ?? kind;
}

/** An Incident built by hand from a Sentinel resource (Logic App `object` or REST GET body). */
function incidentFrom(resource: Json): Incident {
  const p = resource.properties;
  const entities: IncidentEntity[] = (p.relatedEntities ?? []).map((e: Json) => ({
    kind: e.kind,
    id: e.id,
    displayName: displayName(e.kind, e.properties),
    properties: e.properties,
  }));
  const owner = p.owner && (p.owner.assignedTo || p.owner.email) ? p.owner : undefined;
  return {
    name: resource.name,
    resourceId: resource.id,
    number: p.incidentNumber,
    title: p.title,
    description: p.description,
    severity: p.severity as Severity,
    status: p.status as IncidentStatus,
    classification: p.classification,
    classificationReason: p.classificationReason,
    classificationComment: p.classificationComment,
    owner,
    labels: (p.labels ?? []).map((l: Json) => l.labelName),
    tactics: p.additionalData?.tactics ?? [],
    techniques: p.additionalData?.techniques ?? [],
    alertCount: p.additionalData?.alertsCount ?? 0,
    alertProducts: p.additionalData?.alertProductNames ?? [],
    entities,
    portalUrl: p.incidentUrl,
    createdTimeUtc: p.createdTimeUtc,
    lastModifiedTimeUtc: p.lastModifiedTimeUtc,
    firstActivityTimeUtc: p.firstActivityTimeUtc,
    lastActivityTimeUtc: p.lastActivityTimeUtc,
    etag: resource.etag,
  };
}

/** New, High, unassigned, five entities (Logic App "created" trigger). */
export function newIncident(): Incident {
  return incidentFrom(readFixture('logic-app-incident-created.json').object);
}

/** Active, owned by Alex Analyst (Logic App "updated" trigger). */
export function activeIncident(): Incident {
  return incidentFrom(readFixture('logic-app-incident-updated.json').object);
}

/** Closed as FalsePositive / InaccurateData with a comment (REST GET example). */
export function closedIncident(): Incident {
  return incidentFrom(readFixture('incident-rest-get.json'));
}

/** `count` entities over the usual kinds plus a few unknown ones. */
export function manyEntities(count: number): IncidentEntity[] {
  const kinds = ['Host', 'Account', 'Ip', 'Url', 'FileHash', 'Process', 'CustomThing'];
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] ?? 'Host';
    return { kind, id: `entity-${i}`, displayName: `${kind.toLowerCase()}-${i}-${'x'.repeat(40)}.corp.contoso.com`, properties: {} };
  });
}

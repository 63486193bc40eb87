import { dirname, resolve } from 'node:path';
import type { CloseGate } from '../incidents/close-gate';
import type { IncidentsFeature } from '../incidents/feature';
import type { PlaybooksFeature } from '../playbooks/feature';
import type { EvidenceLookup } from '../response/evidence-port';
import { createResponseFeature, type ResponseFeature } from '../response/feature';
import { TableResponseStore, tablePostMortemStatus } from '../response/response-store';
import { partitionReadsOnce } from '../storage/render-scope';
import { tableNames } from '../storage/table-store';
import type { Platform } from './compose';

/**
 * The incidents feature is made before the response feature but asks its closing gate: this
 * stands in for the gate until the response feature is made (never asked before: no verb runs
 * before the features are composed).
 */
export function lateCloseGate(): CloseGate & { bind(gate: CloseGate): void } {
  let bound: CloseGate | undefined;
  return {
    bind(gate) {
      bound = gate;
    },
    check: (incident, classification) => (bound ? bound.check(incident, classification) : Promise.resolve([])),
    closed: async (incident, verb, who) => bound?.closed(incident, verb, who),
  };
}

/** The response lifecycle, from the platform and the features it works through. */
export function composeResponse(p: Platform, f: { incidents: IncidentsFeature; playbooks: PlaybooksFeature; evidence: EvidenceLookup }): ResponseFeature {
  const settings = p.config.file.response;
  // Card sections of one render read the incident's partition once (response, impact, post-mortem rows).
  const table = partitionReadsOnce(p.store.client(tableNames.response), tableNames.response);
  return createResponseFeature({
    // A relative folder is read from where the config file is (or the working directory without one).
    plansDir: resolve(p.config.configPath ? dirname(p.config.configPath) : '.', settings.plansDir),
    gates: settings.gates,
    store: new TableResponseStore(table),
    postMortems: tablePostMortemStatus(table),
    evidence: f.evidence,
    incidents: f.incidents.state,
    closeIncident: f.incidents.closeIncident,
    playbooks: f.playbooks.runs,
    publisher: p.publisher,
    audit: p.audit,
    logger: p.logger.child({ feature: 'response' }),
  });
}

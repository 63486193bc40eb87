/**
 * What the rest of the response module needs to know about an incident's evidence (plan steps that
 * require evidence, the timeline, reports), without the blob and ledger storage behind it.
 */
export interface EvidenceSummary {
  evidenceId: string;
  /** Incident id (the ARM name) the item is registered on. */
  incidentId: string;
  filename: string;
  sha256: string;
  size: number;
  source?: string;
  purpose: string;
  custodian: string;
  registeredAt: string;
  registeredBy: string;
}

export interface EvidenceLookup {
  /** Items registered on the incident, oldest first. */
  listFor(incidentId: string): Promise<EvidenceSummary[]>;
  /** The item, when it is registered on that incident. */
  find(incidentId: string, evidenceId: string): Promise<EvidenceSummary | undefined>;
}

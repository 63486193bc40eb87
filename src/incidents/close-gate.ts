import type { Actor, RoleDecision } from '../access/roles';
import type { Incident, IncidentStatus } from './incident';
import type { IncidentRecord } from './incident-repository';

/**
 * Ports between the incidents feature and the response lifecycle, declared here so that this
 * module imports nothing of the response module: the composition root plugs one into the other.
 */

/** Who acts, as the Teams request established it. */
export interface IncidentActor {
  actor: Actor;
  decision: RoleDecision;
  correlationId: string;
}

/**
 * The gate `incident.close` passes (and `incident.phase` to closed, which goes through it): why
 * closing is refused, and what follows a close (the response phase moves to closed).
 */
export interface CloseGate {
  /** Why closing is refused (empty: allowed), given the classification it would set. */
  check(incident: Incident, classification: string): Promise<string[]>;
  /** The incident was closed by `verb`. */
  closed(incident: Incident, verb: string, who: IncidentActor): Promise<void>;
}

/** What other features may do to an incident's state: read it, and record a change made in their own verbs. */
export interface IncidentStatePort {
  get(incidentId: string): Promise<IncidentRecord | undefined>;
  /**
   * Records a change made here: the card's notice (`summary`), Sentinel's status when given and
   * different (stored, then written back to Sentinel through the durable intake), the thread note,
   * and the cards refreshed. Returns the stored record.
   */
  record(incidentId: string, change: { verb: string; status?: IncidentStatus; summary: string; threadNote?: string }, who: IncidentActor): Promise<IncidentRecord>;
}

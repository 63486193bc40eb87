import type { IncidentActor } from '../incidents/close-gate';

export type { CloseGate, IncidentStatePort } from '../incidents/close-gate';

/**
 * What the response module asks of other features, as narrow ports: the incidents feature (its
 * state, Sentinel write-back and close path; declared in src/incidents/close-gate.ts) and the
 * playbooks feature (its run path, approvals included). src/app/compose-response.ts plugs them in.
 */

/** Who acts, as the Teams request established it. */
export type ResponseActor = IncidentActor;

/** The outcome of asking for one run (the playbooks feature's own outcomes, reduced). */
export type RunRequestOutcome =
  | { kind: 'started'; runId: string; awaitingApproval: boolean }
  | { kind: 'in-progress'; runId?: string }
  | { kind: 'denied'; reason: string };

export type RunState = 'active' | 'succeeded' | 'failed';

export interface PlaybookRunPort {
  /**
   * Requests the playbook on the incident through the playbooks feature's own path (roles,
   * applicability, two-person approval, audit): once for the incident, or once per entity the
   * playbook acts on when it runs per entity.
   */
  request(who: ResponseActor, input: { incidentId: string; playbookId: string }): Promise<RunRequestOutcome[]>;
  /** Where a run stands, with its message when it ended badly; undefined when unknown. */
  state(incidentId: string, runId: string): Promise<{ state: RunState; label: string; message?: string } | undefined>;
}

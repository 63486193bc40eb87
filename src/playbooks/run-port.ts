import { entitiesOfKind } from './applicability';
import { isFinal, runsPerEntity, statusText } from './playbook';
import type { RunDeps } from './run-context';
import { requestRun, type Requester } from './run-requests';

/** Most runs one request starts on a per-entity playbook (one per entity it acts on). */
const maxEntities = 10;

export type PortRunOutcome =
  | { kind: 'started'; runId: string; awaitingApproval: boolean }
  | { kind: 'in-progress'; runId?: string }
  | { kind: 'denied'; reason: string };

/** Runs requested by other features (a response plan's steps), through the same path as a card button. */
export interface PlaybookRunPort {
  /** Once for the incident, or once per entity the playbook acts on (HTTP targets run per entity). */
  request(who: Requester, input: { incidentId: string; playbookId: string }): Promise<PortRunOutcome[]>;
  /** active, succeeded or failed (timed out, rejected and expired count as failed), with its status text. */
  state(incidentId: string, runId: string): Promise<{ state: 'active' | 'succeeded' | 'failed'; label: string; message?: string } | undefined>;
  /** Whether a playbook is known and needs a second person's approval (plans are checked against it at start). */
  facts(playbookId: string): { approvalRequired: boolean } | undefined;
}

export function playbookRunPort(deps: RunDeps): PlaybookRunPort {
  return {
    async request(who, input) {
      const playbook = deps.catalog.get(input.playbookId);
      const record = await deps.incidents.get(input.incidentId);
      // Per-entity playbooks run on each entity of their kind; requestRun checks each one again.
      const entities = playbook && record && runsPerEntity(playbook) ? entitiesOfKind(record.incident, playbook.definition.actsOn).slice(0, maxEntities) : [];
      const targets: Array<string | undefined> = entities.length ? entities.map((e) => e.id) : [undefined];
      const outcomes: PortRunOutcome[] = [];
      for (const entityId of targets) {
        const o = await requestRun(deps, who, { incidentName: input.incidentId, playbookId: input.playbookId, entityId });
        if (o.kind === 'started') outcomes.push({ kind: 'started', runId: o.run.runId, awaitingApproval: o.run.status === 'awaiting-approval' });
        else if (o.kind === 'in-progress') outcomes.push({ kind: 'in-progress', runId: o.run?.runId });
        else outcomes.push({ kind: 'denied', reason: o.kind === 'denied' ? o.reason : 'Argus does not know this incident.' });
      }
      return outcomes;
    },
    async state(incidentId, runId) {
      const run = (await deps.runs.get(incidentId, runId))?.run;
      if (!run) return undefined;
      const state = !isFinal(run.status) ? 'active' : run.status === 'succeeded' ? 'succeeded' : 'failed';
      return { state, label: statusText({ status: run.status }), message: run.message };
    },
    facts(playbookId) {
      const playbook = deps.catalog.get(playbookId);
      return playbook && { approvalRequired: playbook.approval !== undefined };
    },
  };
}

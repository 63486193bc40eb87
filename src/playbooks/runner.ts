import type { Incident } from '../incidents/incident';
import type { Playbook, PlaybookRun } from './playbook';

/** What a target needs to start one run. */
export interface TriggerRequest {
  run: PlaybookRun;
  playbook: Playbook;
  incident: Pick<Incident, 'name' | 'number' | 'title' | 'severity' | 'entities'>;
  /** Where the Logic App reports back (HTTP targets; built from the config's publicUrl). */
  callbackUrl?: string;
}

/** The target took the run (`ok`), or refused it / stayed unreachable (the reason goes on the card). */
export type TriggerOutcome = { ok: true; detail: string } | { ok: false; reason: string };

/** Port: starts a playbook run on its target (Sentinel's runPlaybook or a Logic App HTTP trigger). */
export interface PlaybookRunner {
  trigger(request: TriggerRequest): Promise<TriggerOutcome>;
}

/** One runner for the catalog: each request goes to the adapter of its playbook's target type. */
export function createPlaybookRunner(targets: { sentinel: PlaybookRunner; http: PlaybookRunner }): PlaybookRunner {
  return { trigger: (request) => targets[request.playbook.target.type].trigger(request) };
}

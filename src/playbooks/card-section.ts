import { roleAtLeast } from '../access/roles';
import type { IncidentCardDecorator } from '../incidents/card-publisher';
import { offersFor } from './applicability';
import type { PlaybookCatalog } from './catalog';
import { isFinal } from './playbook';
import { activeKey, type PlaybookRunStore } from './run-store';
import { runView } from './run-views';

/** Runs shown per incident card (the section truncates further when the card is large). */
const runsShown = 10;

/**
 * The playbooks section of every incident card: the runs (live status, who asked and approved,
 * correlation id) and a button per applicable playbook and entity. A viewer's own card (an invoke
 * answer or a refresh) shows only what their role may run; the shared card is drawn for a reader,
 * and the server checks each click anyway. Buttons of runs in progress are left out. Who gets the
 * card's per-user refresh is decided by the card publisher (CardViewers).
 */
export function playbookCardDecorator(deps: { catalog: PlaybookCatalog; runs: PlaybookRunStore }): IncidentCardDecorator {
  return async (record, viewer) => {
    if (!viewer.role) return {};
    const { incident } = record;
    const available = deps.catalog.available();
    const stored = await deps.runs.listForIncident(incident.name, runsShown);
    if (available.length === 0 && stored.length === 0) return {};
    const runs = stored.map((s) => s.run);
    const busy = new Set(runs.filter((r) => !isFinal(r.status)).map((r) => activeKey(r)));
    const offers = available
      .flatMap((p) => offersFor(p, incident))
      .filter((o) => !busy.has(activeKey({ incidentName: incident.name, playbookId: o.playbook.definition.id, entity: o.entity })))
      .filter((o) => roleAtLeast(viewer.role, o.playbook.definition.requiredRole))
      .map((o) => ({ playbookId: o.playbook.definition.id, entityId: o.entity?.id, label: o.label, needsApproval: !!o.playbook.approval }));
    if (offers.length === 0 && runs.length === 0) return {};
    return { playbooks: { offers, runs: runs.map(runView) } };
  };
}

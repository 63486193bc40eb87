import { roleAtLeast } from '../access/roles';
import type { PostMortemSectionView } from '../cards/postmortem-section';
import type { IncidentCardDecorator } from '../incidents/card-publisher';
import type { PostMortem, PostMortemStore } from './postmortem';
import type { ActionTicketStore } from './postmortem-tickets';
import type { ResponseStore } from './response-store';

export function postMortemView(pm: PostMortem): NonNullable<PostMortemSectionView['postMortem']> {
  return { ...pm, detectionGaps: pm.detectionGaps.map((g) => g.text) };
}

/**
 * The card's post-mortem section: in Post-incident the form (responders; prefilled from the saved
 * draft), and a completed post-mortem as read-only text in every phase after. The verbs check
 * role, phase and status again.
 */
export function postMortemCardSection(deps: {
  store: Pick<PostMortemStore, 'get'>;
  /** The phase alone (a point read: the section is drawn on every render of every card). */
  response: Pick<ResponseStore, 'loadPhase'>;
  /** With an ITSM: each prevention action's follow-up ticket (postmortem.ticket). */
  followUps?: Pick<ActionTicketStore, 'list'>;
}): IncidentCardDecorator {
  return async (record, viewer) => {
    const incidentId = record.incident.name;
    const [stored, phase] = await Promise.all([deps.store.get(incidentId), deps.response.loadPhase(incidentId)]);
    const pm = stored?.postMortem;
    const postIncident = phase?.phase === 'post-incident';
    if (!postIncident && pm?.status !== 'completed') return {};
    const canEdit = postIncident && pm?.status !== 'completed' && roleAtLeast(viewer.role, 'responder');
    const followUps = pm?.status === 'completed' && deps.followUps ? await followUpsView(deps.followUps, incidentId, pm, roleAtLeast(viewer.role, 'responder')) : undefined;
    return { postMortem: { ...(pm ? { postMortem: postMortemView(pm) } : {}), canEdit, ...(followUps ? { followUps } : {}) } };
  };
}

async function followUpsView(store: Pick<ActionTicketStore, 'list'>, incidentId: string, pm: PostMortem, canCreate: boolean) {
  const tickets = await store.list(incidentId);
  return { tickets: pm.preventionActions.map((_, i) => tickets.get(i + 1)?.number), canCreate };
}

/** The card's Report… action, for responders (incident.report checks the role again). */
export const reportCardSection: IncidentCardDecorator = async (_record, viewer) => ({ reports: { canRequest: roleAtLeast(viewer.role, 'responder') } });

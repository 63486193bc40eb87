import { roleAtLeast, type Role } from '../access/roles';
import type { ResponseSectionView, ResponseStepView } from '../cards/response-views';
import type { NoticeStyle } from '../cards/views';
import type { IncidentCardDecorator } from '../incidents/card-publisher';
import { nextPhase, phases, phaseTitles, type StepStatus } from './phases';
import { currentPhase, ensureState, type AssignmentDeps } from './plan-assignment';
import type { ResponseState, StepState } from './response-store';

const statusLabels: Record<StepStatus, { label: string; tone: NoticeStyle }> = {
  pending: { label: 'Pending', tone: 'default' },
  running: { label: 'Running', tone: 'accent' },
  done: { label: 'Done', tone: 'good' },
  skipped: { label: 'Skipped', tone: 'warning' },
  failed: { label: 'Failed', tone: 'attention' },
};

const settled = (s: Pick<StepState, 'status'>) => s.status === 'done' || s.status === 'skipped';

/** "45 s", "12 min", "3 h 5 min". */
export function describeMs(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  const minutes = Math.round(ms / 60_000);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

function stepDetail(s: StepState): string {
  const kind = s.type === 'manual' ? 'Manual' : `${s.type === 'automated' ? 'Automated' : 'Needs approval'} · ${s.playbook ?? ''}`;
  const parts = [kind];
  if (s.requiresEvidence) parts.push('needs evidence');
  if (s.requiredRole === 'admin') parts.push('admin');
  if (s.by && s.status !== 'pending') parts.push(`by ${s.by}${s.durationMs !== undefined ? `, ${describeMs(s.durationMs)}` : ''}`);
  if (s.note) parts.push(s.note);
  return parts.join(' · ');
}

/**
 * The card's view of the response state for a viewer (role undefined with `canAct`: the shared
 * card in the channel, which shows every button; the server checks each click anyway).
 */
export function responseView(state: ResponseState, viewer: { canAct: boolean; role?: Role }): ResponseSectionView {
  const phase = currentPhase(state);
  const at = phases.indexOf(phase);
  const open = phase !== 'closed' && viewer.canAct;
  const mayDo = (s: StepState) => open && (viewer.role === undefined || roleAtLeast(viewer.role, s.requiredRole)) && (s.status === 'pending' || s.status === 'failed');
  const steps: ResponseStepView[] = state.steps
    .filter((s) => s.phase === phase)
    .map((s) => ({
      planId: s.planId,
      stepId: s.id,
      title: s.title,
      status: statusLabels[s.status].label,
      tone: statusLabels[s.status].tone,
      detail: stepDetail(s),
      canComplete: mayDo(s) && s.type === 'manual',
      canRun: mayDo(s) && s.type !== 'manual',
    }));
  const next = nextPhase(phase);
  return {
    phaseTitle: phaseTitles[phase],
    // Closed ends every strip: it is shown once reached (the status badge says it too).
    strip: phases.filter((p) => p !== 'closed' || phase === 'closed').map((p, i) => ({ title: phaseTitles[p], state: i < at ? 'done' : i === at ? 'current' : 'todo' })),
    plan: state.plan && { id: state.plan.planId, title: state.plan.title, done: state.steps.filter(settled).length, total: state.steps.length },
    steps,
    openEarlier: state.steps.filter((s) => phases.indexOf(s.phase) < at && !settled(s)).map((s) => s.title),
    // Closing needs a classification: it goes through the card's Close… form.
    next: open && next && next !== 'closed' ? { phase: next, title: phaseTitles[next] } : undefined,
    back: viewer.canAct ? phases.slice(0, at).map((p) => ({ phase: p, title: phaseTitles[p] })) : [],
    // The form lists the steps of this phase and earlier ones (the card stays small; later ones come with their phase).
    open: state.steps.filter((s) => mayDo(s) && phases.indexOf(s.phase) <= at).map((s) => ({ stepId: s.id, title: s.title })),
    planId: state.plan?.planId,
  };
}

/**
 * The response section of every incident card. Incidents Argus made itself (from alerts, from
 * reports) come without a Sentinel event: their state is made at their first render.
 */
export function responseCardDecorator(deps: AssignmentDeps): IncidentCardDecorator {
  return async (record, viewer) => {
    const { state } = await ensureState(deps, record.incident);
    const canAct = roleAtLeast(viewer.role, 'responder');
    return { response: responseView(state, { canAct, role: viewer.role }) };
  };
}

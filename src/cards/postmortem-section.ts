import { atLevel } from './size-guard';
import { cardDateTime, joinLimited, plain } from './text';

/** The incident's post-mortem as the card shows it (drawn by section-postmortem). */
export interface PostMortemSectionView {
  /** Absent until a draft is saved. Texts are as stored (several lines allowed). */
  postMortem?: {
    status: 'draft' | 'completed';
    summary: string;
    rootCause: string;
    contributingFactors: string;
    lessonsLearned: string;
    preventionActions: string[];
    detectionGaps: string[];
    savedBy: string;
    savedAt: string;
    completedBy?: string;
    completedAt?: string;
  };
  /** Responders in the post-incident phase, while the post-mortem is not completed: the form. */
  canEdit: boolean;
  /**
   * A completed post-mortem with an ITSM: each prevention action's follow-up ticket number (by
   * position, undefined while none), and whether this viewer gets "Create ticket" buttons.
   */
  followUps?: { tickets: (string | undefined)[]; canCreate: boolean };
}

/** The Report action (drawn by the card's Report… action). */
export interface ReportActionView {
  /** Responders may hand out report links. */
  canRequest: boolean;
}

type Form = { title: string } & Record<(typeof formFields)[number], string>;

/** Exactly the fields section-postmortem of cards/incident.json binds to; every one is always present. */
export interface PostMortemSectionData {
  enabled: boolean;
  heading: string;
  hasFacts: boolean;
  facts: { title: string; value: string }[];
  note: { enabled: boolean; text: string };
  /** The completed post-mortem's prevention actions, each with its ticket or a Create ticket button. */
  actions: { enabled: boolean; heading: string; items: ActionItem[] };
  form: { enabled: boolean } & Form;
}

/** One prevention action line; `index` is its 1-based position (postmortem.ticket's data). */
export interface ActionItem {
  index: number;
  text: string;
  hasTicket: boolean;
  ticket: string;
  canCreate: boolean;
}

/** Exactly the fields the card's Report… action binds to. */
export interface ReportActionData {
  enabled: boolean;
}

const formFields = ['summary', 'rootCause', 'contributingFactors', 'lessonsLearned', 'preventionActions', 'detectionGaps'] as const;

/** Truncation budgets per size level (see incident-card-data.ts). */
const budgets = {
  /** Characters of draft the form carries; a longer draft is shown, not offered for editing (saving would cut it). */
  prefill: [16000, 12000, 9000, 6000, 4000, 3000],
  textLength: [600, 400, 300, 200, 120, 80],
  listItems: [10, 8, 6, 4, 3, 2],
  itemLength: [200, 160, 120, 80, 60, 40],
} as const;

const blankForm: Form = { title: '', summary: '', rootCause: '', contributingFactors: '', lessonsLearned: '', preventionActions: '', detectionGaps: '' };
const off: PostMortemSectionData = { enabled: false, heading: '', hasFacts: false, facts: [], note: { enabled: false, text: '' }, actions: { enabled: false, heading: '', items: [] }, form: { enabled: false, ...blankForm } };

export function buildPostMortemSection(view: PostMortemSectionView | undefined, level: number): PostMortemSectionData {
  if (!view || (!view.postMortem && !view.canEdit)) return off;
  const pm = view.postMortem;
  const values: Form = pm
    ? { ...pm, title: 'Edit post-mortem…', preventionActions: pm.preventionActions.join('\n'), detectionGaps: pm.detectionGaps.join('\n') }
    : { ...blankForm, title: 'Write post-mortem…' };
  const size = formFields.reduce((n, k) => n + values[k].length, 0);
  const fits = size <= atLevel(budgets.prefill, level);
  const editable = view.canEdit && pm?.status !== 'completed' && fits;
  const heading = !pm
    ? '📝 Post-mortem · not started'
    : pm.status === 'completed'
      ? `📝 Post-mortem · completed by ${plain(pm.completedBy ?? pm.savedBy, 60)} · ${cardDateTime(pm.completedAt ?? pm.savedAt)}`
      : `📝 Post-mortem · draft saved by ${plain(pm.savedBy, 60)} · ${cardDateTime(pm.savedAt)}`;
  const actions = pm?.status === 'completed' && view.followUps ? actionsOf(pm.preventionActions, view.followUps, level) : off.actions;
  const facts = pm && !editable ? factsOf(pm, level).filter((f) => !actions.enabled || f.title !== 'Prevention actions') : [];
  const tooLong = view.canEdit && pm?.status !== 'completed' && !fits;
  return {
    enabled: true,
    heading,
    hasFacts: facts.length > 0,
    facts,
    note: {
      enabled: tooLong,
      text: tooLong ? `This draft (${size} characters) is too long to edit on the card without cutting it; it is kept as saved.` : '',
    },
    actions,
    form: editable ? { enabled: true, ...values } : { enabled: false, ...blankForm },
  };
}

function factsOf(pm: NonNullable<PostMortemSectionView['postMortem']>, level: number): { title: string; value: string }[] {
  const text = (s: string) => plain(s, atLevel(budgets.textLength, level));
  const list = (items: string[]) => joinLimited(items, atLevel(budgets.listItems, level), (i) => plain(i, atLevel(budgets.itemLength, level)), ' · ');
  const facts = [
    { title: 'Summary', value: text(pm.summary) },
    { title: 'Root cause', value: text(pm.rootCause) },
    { title: 'Contributing factors', value: text(pm.contributingFactors) },
    { title: 'Lessons learned', value: text(pm.lessonsLearned) },
    { title: 'Prevention actions', value: list(pm.preventionActions) },
    { title: 'Detection gaps', value: list(pm.detectionGaps) },
  ];
  return facts.filter((f) => f.value !== '');
}

function actionsOf(lines: string[], followUps: NonNullable<PostMortemSectionView['followUps']>, level: number): PostMortemSectionData['actions'] {
  const shown = lines.slice(0, atLevel(budgets.listItems, level));
  const items = shown.map((line, i) => {
    const ticket = followUps.tickets[i];
    return { index: i + 1, text: plain(line, atLevel(budgets.itemLength, level)), hasTicket: ticket !== undefined, ticket: ticket ? `🎫 ${plain(ticket, 40)}` : '', canCreate: !ticket && followUps.canCreate };
  });
  const more = lines.length > shown.length ? ` (first ${shown.length} of ${lines.length})` : '';
  return { enabled: items.length > 0, heading: `Prevention actions${more}`, items };
}

export function buildReportAction(view: ReportActionView | undefined): ReportActionData {
  return { enabled: view?.canRequest === true };
}

import type { ResponseSectionView } from './response-views';
import { atLevel } from './size-guard';
import { joinLimited, noticeColors, plain, type TextColor } from './text';

/** Truncation budgets per size level (see incident-card-data.ts). */
const budgets = {
  steps: [8, 6, 5, 4, 3, 2],
  titleLength: [100, 80, 70, 60, 50, 40],
  detailLength: [200, 160, 120, 80, 60, 40],
  choices: [15, 12, 10, 8, 5, 3],
  earlier: [3, 3, 2, 2, 1, 1],
} as const;

interface StepButton {
  title: string;
  verb: string;
  planId: string;
  stepId: string;
}

/** Exactly the fields the `section-response` block of cards/incident.json binds to. */
export interface ResponseSectionData {
  enabled: boolean;
  heading: string;
  strip: string;
  steps: { title: string; status: string; color: TextColor; detail: string; hasButtons: boolean; buttons: StepButton[] }[];
  more: { enabled: boolean; text: string };
  actions: { enabled: boolean };
  next: { enabled: boolean; title: string; phase: string };
  back: { enabled: boolean; choices: { title: string; value: string }[] };
  step: { enabled: boolean; planId: string; choices: { title: string; value: string }[] };
}

const off: ResponseSectionData = {
  enabled: false,
  heading: '',
  strip: '',
  steps: [],
  more: { enabled: false, text: '' },
  actions: { enabled: false },
  next: { enabled: false, title: '', phase: '' },
  back: { enabled: false, choices: [] },
  step: { enabled: false, planId: '', choices: [] },
};

export function buildResponseSection(view: ResponseSectionView | undefined, level: number): ResponseSectionData {
  if (!view) return off;
  const titleLength = atLevel(budgets.titleLength, level);
  const detailLength = atLevel(budgets.detailLength, level);
  const shown = view.steps.slice(0, atLevel(budgets.steps, level));
  const steps = shown.map((s) => {
    const buttons: StepButton[] = [
      ...(s.canRun ? [{ title: 'Run', verb: 'step.run', planId: s.planId, stepId: s.stepId }] : []),
      ...(s.canComplete ? [{ title: 'Done', verb: 'step.complete', planId: s.planId, stepId: s.stepId }] : []),
    ];
    return { title: plain(s.title, titleLength), status: s.status, color: noticeColors[s.tone], detail: plain(s.detail, detailLength), hasButtons: buttons.length > 0, buttons };
  });
  const notes = [
    view.steps.length > shown.length ? `+${view.steps.length - shown.length} more step(s) in this phase` : '',
    view.openEarlier.length ? `Open in earlier phases: ${joinLimited(view.openEarlier, atLevel(budgets.earlier, level), (t) => plain(t, titleLength))}` : '',
  ].filter(Boolean);
  const strip = view.strip.map((p) => (p.state === 'current' ? `**${p.title}**` : p.state === 'done' ? `✓ ${p.title}` : p.title)).join(' › ');
  const plan = view.plan ? ` · ${plain(view.plan.title, titleLength)} plan · ${view.plan.done}/${view.plan.total} steps settled` : ' · no plan';
  const choices = view.open.slice(0, atLevel(budgets.choices, level)).map((o) => ({ title: plain(o.title, titleLength), value: o.stepId }));
  const next = view.next;
  const data: ResponseSectionData = {
    enabled: true,
    heading: `Response: ${view.phaseTitle}${plan}`,
    strip,
    steps,
    more: { enabled: notes.length > 0, text: notes.join(' · ') },
    actions: { enabled: false },
    next: { enabled: !!next, title: next ? `Next: ${next.title}` : '', phase: next?.phase ?? '' },
    back: { enabled: view.back.length > 0, choices: view.back.map((b) => ({ title: b.title, value: b.phase })) },
    step: { enabled: choices.length > 0 && !!view.planId, planId: view.planId ?? '', choices },
  };
  data.actions.enabled = data.next.enabled || data.back.enabled || data.step.enabled;
  return data;
}

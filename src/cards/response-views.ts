import type { NoticeStyle } from './views';

/** One plan step on the incident card, with the buttons this viewer may press. */
export interface ResponseStepView {
  planId: string;
  stepId: string;
  title: string;
  /** Pending, Running, Done, Skipped, Failed. */
  status: string;
  tone: NoticeStyle;
  /** e.g. "Automated · collect-investigation-package · by Ana, 12 min". */
  detail: string;
  canComplete: boolean;
  canRun: boolean;
}

/** The response section of the incident card: where the incident stands, and what is left in its phase. */
export interface ResponseSectionView {
  /** The current phase's title, e.g. "Containment". */
  phaseTitle: string;
  /** Every phase in order, with whether it is behind, current or ahead. */
  strip: { title: string; state: 'done' | 'current' | 'todo' }[];
  plan?: { id: string; title: string; done: number; total: number };
  /** The current phase's steps. */
  steps: ResponseStepView[];
  /** Titles of steps of earlier phases not done or skipped. */
  openEarlier: string[];
  /** The next phase, when this viewer may move on (closing goes through Close…). */
  next?: { phase: string; title: string };
  /** Earlier phases to go back to (with a reason). */
  back: { phase: string; title: string }[];
  /** Steps that may be completed with a note or skipped (with a reason). */
  open: { stepId: string; title: string }[];
  /** The plan id the step forms submit. */
  planId?: string;
}

/**
 * The response lifecycle (NIST SP 800-61 phases) as one table: which moves exist and which gates
 * each move passes. The same table tells the card which buttons to offer and the server whether a
 * click is allowed, so the two cannot disagree.
 */

export const phases = ['detection', 'investigation', 'containment', 'eradication', 'recovery', 'post-incident', 'closed'] as const;
export type Phase = (typeof phases)[number];

export const phaseTitles: Readonly<Record<Phase, string>> = {
  detection: 'Detection',
  investigation: 'Investigation',
  containment: 'Containment',
  eradication: 'Eradication',
  recovery: 'Recovery',
  'post-incident': 'Post-incident',
  closed: 'Closed',
};

export function isPhase(value: unknown): value is Phase {
  return typeof value === 'string' && (phases as readonly string[]).includes(value);
}

export type StepStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed';
export type IncidentSeverity = 'High' | 'Medium' | 'Low' | 'Informational';

/** What the gates look at. */
export interface PhaseFacts {
  phase: Phase;
  severity: IncidentSeverity;
  owner?: string;
  classification?: string;
  steps: ReadonlyArray<{ id: string; title: string; phase: Phase; status: StepStatus }>;
  postMortemComplete: boolean;
}

/** Config `response.gates`. */
export interface GatePolicy {
  /** Investigation needs an owner. */
  ownerForInvestigation: boolean;
  /** A phase is left forward only when its plan steps (and earlier phases') are done or skipped. */
  stepsSettledToLeave: boolean;
  /** Severities whose closing needs a completed post-mortem. */
  postMortemFor: readonly IncidentSeverity[];
  /** Classifications that close without a post-mortem whatever the severity (nothing happened to learn from). */
  postMortemNotFor: readonly string[];
}

export const defaultGatePolicy: GatePolicy = { ownerForInvestigation: true, stepsSettledToLeave: true, postMortemFor: ['High'], postMortemNotFor: ['FalsePositive', 'BenignPositive'] };

export type TransitionKind = 'forward' | 'back' | 'close';

interface Gate {
  /** Reasons the move is refused; empty when the gate is met. */
  (facts: PhaseFacts, to: Phase, policy: GatePolicy): string[];
}

const needsOwner: Gate = (f, _to, p) => (p.ownerForInvestigation && !f.owner ? ['an owner must be assigned first'] : []);

const stepsSettled: Gate = (f, to, p) => {
  if (!p.stepsSettledToLeave) return [];
  const target = phases.indexOf(to);
  const open = f.steps.filter((s) => phases.indexOf(s.phase) < target && s.status !== 'done' && s.status !== 'skipped');
  if (open.length === 0) return [];
  const names = open.slice(0, 3).map((s) => `'${s.title}'`).join(', ');
  return [`${open.length} required step${open.length === 1 ? ' is' : 's are'} not done or skipped: ${names}${open.length > 3 ? ', …' : ''}`];
};

const needsClassification: Gate = (f) => (f.classification ? [] : ['closing needs a classification']);

const needsPostMortem: Gate = (f, _to, p) =>
  p.postMortemFor.includes(f.severity) && !p.postMortemNotFor.includes(f.classification ?? '') && !f.postMortemComplete ? [`a ${f.severity} incident closes only after its post-mortem is completed`] : [];

/** Gates per target phase, for forward moves. Going back needs only a reason. */
const forwardGates: Readonly<Record<Phase, readonly Gate[]>> = {
  detection: [],
  investigation: [needsOwner],
  containment: [needsOwner, stepsSettled],
  eradication: [needsOwner, stepsSettled],
  recovery: [needsOwner, stepsSettled],
  'post-incident': [needsOwner, stepsSettled],
  // Closing may come from any phase (a false positive is closed from detection), so it does not wait
  // for plan steps; it needs what Sentinel needs (a classification) and the post-mortem gate.
  closed: [needsClassification, needsPostMortem],
};

export type TransitionCheck =
  | { allowed: true; kind: TransitionKind }
  | { allowed: false; kind?: TransitionKind; reasons: string[] };

export function transitionKind(from: Phase, to: Phase): TransitionKind | undefined {
  if (from === to || from === 'closed') return to === 'closed' || from === to ? undefined : 'back';
  if (to === 'closed') return 'close';
  return phases.indexOf(to) > phases.indexOf(from) ? 'forward' : 'back';
}

/** Whether `facts.phase → to` is allowed, and why not. */
export function checkTransition(facts: PhaseFacts, to: Phase, policy: GatePolicy, reason?: string): TransitionCheck {
  const kind = transitionKind(facts.phase, to);
  if (!kind) return { allowed: false, reasons: [`the incident is already in ${phaseTitles[to]}`] };
  if (kind === 'back') {
    return reason?.trim() ? { allowed: true, kind } : { allowed: false, kind, reasons: ['going back a phase needs a reason'] };
  }
  // Forward moves skip no phase's gates: moving two phases on passes the gates of both.
  const reasons = new Set<string>();
  for (const gate of forwardGates[to]) for (const r of gate(facts, to, policy)) reasons.add(r);
  return reasons.size === 0 ? { allowed: true, kind } : { allowed: false, kind, reasons: [...reasons] };
}

/** Why closing is refused, from whichever phase (the gates `incident.close` passes too). */
export function closingReasons(facts: PhaseFacts, policy: GatePolicy): string[] {
  return [...new Set(forwardGates.closed.flatMap((gate) => gate(facts, 'closed', policy)))];
}

/** The phase after `phase` in the lifecycle (none after closed). */
export function nextPhase(phase: Phase): Phase | undefined {
  return phase === 'closed' ? undefined : phases[phases.indexOf(phase) + 1];
}

/** Sentinel's incident status for a phase. */
export function sentinelStatusFor(phase: Phase): 'New' | 'Active' | 'Closed' {
  return phase === 'detection' ? 'New' : phase === 'closed' ? 'Closed' : 'Active';
}

/** The phase an incident is in when Argus first sees it with a Sentinel status and no phase of its own. */
export function phaseForSentinelStatus(status: string): Phase {
  return status === 'Closed' ? 'closed' : status === 'Active' ? 'investigation' : 'detection';
}

import { CandidateSet, type IndexedCandidate } from './candidate-set';
import { compileDetection, type CompiledDetection } from './detection-compiler';
import { unionAtoms } from './match-atoms';
import { EventView } from './event-view';
import type { MatchExplanation } from './explanation';
import { flattenEvent, type FlatEvent } from './flatten-event';
import type { LogsourceConfig, LogsourceMapping } from './logsource-config';
import { anyKey, compileGate, eventKey, GateIndex, mappingsFor, type SourceGate } from './logsource-index';
import { rulesInvalidError, toRuleFailure, type RuleFailure } from './rule-errors';
import type { SigmaRule } from './sigma-rule';
import { windowsLogsources } from './windows-logsources';

/** One rule matching one event. */
export interface DetectionMatch {
  rule: SigmaRule;
  explanation: MatchExplanation;
}

interface Slot {
  rule: number;
  gate: SourceGate;
  detection: CompiledDetection;
}

/** The slots of one rule that apply to an event key, in mapping order. */
interface Candidate extends IndexedCandidate {
  slots: Slot[];
}

export interface EngineOptions {
  /** Logsource mappings; the built-in Windows ones when absent. */
  logsources?: LogsourceConfig;
  /** `throw` (default): any unusable rule is an error naming all of them; `skip`: compile the rest. */
  onInvalid?: 'throw' | 'skip';
  /** Pre-select rules by their necessary field values (default true; false evaluates every logsource candidate). */
  prefilter?: boolean;
}

const maxCachedKeys = 4096;

/** Mapping entries in effect: configured ones first, then (unless replaced) the Windows defaults. */
export function effectiveMappings(config: LogsourceConfig | undefined): LogsourceMapping[] {
  if (!config) return windowsLogsources;
  return config.extendDefaults ? [...config.logsources, ...windowsLogsources] : config.logsources;
}

/**
 * Sigma rules compiled once into matchers and indexed by logsource. `evaluate` flattens an event,
 * looks up the rules its channel and Event ID admit, and tests only those.
 */
export class DetectionEngine {
  readonly rules: readonly SigmaRule[];
  /** Rules that could not be compiled (only with `onInvalid: 'skip'`). */
  readonly failures: readonly RuleFailure[];
  /** Things worth knowing that do not stop evaluation (e.g. rules without a logsource mapping). */
  readonly warnings: readonly string[];
  private readonly index = new GateIndex<Slot>();
  private readonly cache = new Map<unknown, Map<unknown, CandidateSet<Candidate>>>();
  private cachedSets = 0;
  private readonly prefilter: boolean;

  constructor(rules: readonly SigmaRule[], options: EngineOptions = {}) {
    this.prefilter = options.prefilter ?? true;
    const mappings = effectiveMappings(options.logsources);
    const unmapped = options.logsources?.unmapped ?? 'all-events';
    const gates = new Map<LogsourceMapping, SourceGate>();
    const anyGate = compileGate({ name: '(any event)', logsource: {}, conditions: {}, fieldMappings: {} });
    const accepted: SigmaRule[] = [];
    const failures: RuleFailure[] = [];
    const warnings: string[] = [];
    const pending: Omit<Slot, 'rule'>[][] = [];
    for (const rule of rules) {
      try {
        const entries = mappingsFor(rule.logsource, mappings);
        const byMapping = new Map<string, CompiledDetection>();
        const slots: Omit<Slot, 'rule'>[] = [];
        const compileFor = (fieldMappings: Record<string, string>): CompiledDetection => {
          const key = JSON.stringify(fieldMappings);
          let d = byMapping.get(key);
          if (!d) byMapping.set(key, (d = compileDetection(rule, (f) => fieldMappings[f] ?? f)));
          return d;
        };
        for (const m of entries) {
          let gate = gates.get(m);
          if (!gate) gates.set(m, (gate = compileGate(m)));
          slots.push({ gate, detection: compileFor(m.fieldMappings) });
        }
        if (slots.length === 0) {
          const ls = Object.entries(rule.logsource).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
          if (unmapped === 'error') throw new Error(`no logsource mapping covers ${ls}`);
          warnings.push(`${rule.source} (${rule.title}): no logsource mapping covers ${ls}; the rule is evaluated on every event`);
          slots.push({ gate: anyGate, detection: compileFor({}) });
        }
        accepted.push(rule);
        pending.push(slots);
      } catch (err) {
        failures.push(toRuleFailure(rule.source, rule.title, err));
      }
    }
    if (failures.length && (options.onInvalid ?? 'throw') === 'throw') throw rulesInvalidError(failures);
    pending.forEach((slots, rule) => {
      for (const s of slots) this.index.add(s.gate, { ...s, rule });
    });
    this.rules = accepted;
    this.failures = failures;
    this.warnings = warnings;
  }

  private candidates(view: EventView): Candidate[] {
    // Cached by the raw Channel and EventID values: no string building or case folding per event.
    const rawChannel = view.raw('Channel');
    const rawId = view.raw('EventID');
    let byId = this.cache.get(rawChannel);
    let set = byId?.get(rawId);
    if (!set) {
      set = this.buildCandidates(view);
      // Event IDs come from the input; a stream of distinct ones must not grow memory without bound.
      if (this.cachedSets < maxCachedKeys) {
        if (!byId) this.cache.set(rawChannel, (byId = new Map()));
        byId.set(rawId, set);
        this.cachedSets++;
      }
    }
    return set.select(view);
  }

  private buildCandidates(view: EventView): CandidateSet<Candidate> {
    const { channel, eventId } = eventKey(view);
    const byRule = new Map<number, Candidate>();
    for (const slot of this.index.lookup(channel || anyKey, eventId || anyKey)) {
      const c = byRule.get(slot.rule);
      if (c) c.slots.push(slot);
      else byRule.set(slot.rule, { rule: slot.rule, slots: [slot], atoms: null, seen: 0 });
    }
    const list = [...byRule.values()].sort((a, b) => a.rule - b.rule);
    for (const c of list) c.atoms = unionAtoms(c.slots.map((s) => s.detection.atoms));
    return new CandidateSet(list, this.prefilter);
  }

  /** Evaluates one flattened event. */
  evaluateView(view: EventView): DetectionMatch[] {
    let out: DetectionMatch[] | undefined;
    for (const c of this.candidates(view)) {
      for (const slot of c.slots) {
        if (slot.gate.residual && !slot.gate.residual.test(view)) continue;
        if (!slot.detection.test(view)) continue;
        const detail = slot.detection.explain(view, true);
        if (!detail) continue;
        (out ??= []).push({ rule: this.rules[c.rule] as SigmaRule, explanation: { ...detail, logsource: slot.gate.mapping.name } });
        break;
      }
    }
    return out ?? [];
  }

  /** Evaluates one raw event (a JSON object). */
  evaluate(event: Record<string, unknown>): { flat: FlatEvent; matches: DetectionMatch[] } {
    const flat = flattenEvent(event);
    return { flat, matches: this.evaluateView(new EventView(flat)) };
  }
}

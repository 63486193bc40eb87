import { expandPattern, parseCondition, type ConditionNode } from '../condition-parser';
import { compileDetection } from '../detection-compiler';
import { RuleProblem } from '../rule-errors';
import { SigmaNumber, type DetectionValue, type SigmaLogsource, type SigmaRule } from '../sigma-rule';
import { attackOf, sentinelSeverity, type SentinelSeverity } from './attack-tags';
import { azureMonitorTables } from './azure-monitor-tables';
import { defenderXdrTables } from './defender-xdr-tables';
import { fieldTerms, type ConversionScope } from './field-terms';
import { allOf, anyOf, not, renderKql, term, type KqlExpr } from './kql-expr';
import type { KqlTarget, TableMapping } from './kql-target';
import { KqlUnsupported } from './kql-unsupported';
import { sentinelAsimTables } from './sentinel-asim-tables';

/** One rule on one target, as `argus rules kql --json` prints it. */
export interface KqlRuleResult {
  ruleId: string;
  title: string;
  target: KqlTarget;
  /** The table (or ASIM parser) the query reads; null when the logsource has none. */
  table: string | null;
  /** null when the rule does not convert. */
  query: string | null;
  tactics: string[];
  techniques: string[];
  severity: SentinelSeverity;
  /** Why the rule does not convert, naming the construct(s). */
  unsupported?: string;
}

/** The result with what deployment needs besides. */
export interface ConvertedRule {
  result: KqlRuleResult;
  rule: SigmaRule;
  mapping?: TableMapping;
}

const tablesByTarget: Record<KqlTarget, TableMapping[]> = {
  'defender-xdr': defenderXdrTables,
  'sentinel-asim': sentinelAsimTables,
  'azure-monitor': azureMonitorTables,
};

function describe(logsource: SigmaLogsource): string {
  return Object.entries(logsource).map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
}

/** The table a rule's logsource reads on a target. */
export function tableFor(target: KqlTarget, logsource: SigmaLogsource): TableMapping {
  const { category, service, product } = logsource;
  if (!category && !service) throw new KqlUnsupported(`logsource ${describe(logsource)} names no category or service, so it has no table`);
  const found = tablesByTarget[target].find(
    (t) => (category ? t.category === category : t.service === service) && (!product || t.products.includes(product)),
  );
  if (!found) throw new KqlUnsupported(`logsource ${describe(logsource)} has no table on ${target}`);
  return found;
}

function isMap(v: DetectionValue): v is Record<string, DetectionValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof SigmaNumber);
}

/** Converts every part it can, gathering each problem (so a report names all of them). */
class Converter {
  readonly problems: string[] = [];
  private readonly selections = new Map<string, KqlExpr>();

  constructor(
    private readonly rule: SigmaRule,
    private readonly scope: ConversionScope,
  ) {}

  /** Records the problem; the stand-in it returns is never written, since a rule with problems gets no query. */
  private unsupported(err: KqlUnsupported): KqlExpr {
    if (!this.problems.includes(err.message)) this.problems.push(err.message);
    return term('false');
  }

  private attempt(make: () => KqlExpr): KqlExpr {
    try {
      return make();
    } catch (err) {
      if (err instanceof KqlUnsupported) return this.unsupported(err);
      throw err;
    }
  }

  private map(map: Record<string, DetectionValue>, path: string): KqlExpr {
    return allOf(Object.keys(map).map((k) => this.attempt(() => fieldTerms(k, map[k] as DetectionValue, `${path}.${k}`, this.scope))));
  }

  selection(name: string): KqlExpr {
    const cached = this.selections.get(name);
    if (cached) return cached;
    const raw = this.rule.detection[name] as DetectionValue;
    const path = `detection.${name}`;
    const expr = isMap(raw)
      ? this.map(raw, path)
      : Array.isArray(raw) && raw.every(isMap)
        ? anyOf(raw.map((m, i) => this.map(m, `${path}[${i}]`)))
        : this.unsupported(new KqlUnsupported('keyword search (values without a field) does not convert: name the field', path));
    this.selections.set(name, expr);
    return expr;
  }

  condition(node: ConditionNode): KqlExpr {
    switch (node.type) {
      case 'ref':
        return this.selection(node.name);
      case 'not':
        return not(this.condition(node.child));
      case 'and':
        return allOf(node.children.map((c) => this.condition(c)));
      case 'or':
        return anyOf(node.children.map((c) => this.condition(c)));
      case 'of': {
        const parts = expandPattern(node.pattern, Object.keys(this.rule.detection)).map((n) => this.selection(n));
        return node.quantifier === 'all' ? allOf(parts) : anyOf(parts);
      }
    }
  }
}

function queryText(mapping: TableMapping, scope: ConversionScope, where: KqlExpr): string {
  const lines = [mapping.table];
  if (mapping.filter) lines.push(`| where ${mapping.filter}`);
  for (const [column, expr] of scope.extends) lines.push(`| extend ${column} = ${expr}`);
  lines.push(`| where ${renderKql(where)}`);
  return lines.join('\n');
}

/** Converts one Sigma rule to KQL for a target, or says why it does not convert. */
export function convertRule(rule: SigmaRule, target: KqlTarget): ConvertedRule {
  const { tactics, techniques } = attackOf(rule.tags);
  const result: KqlRuleResult = { ruleId: rule.id, title: rule.title, target, table: null, query: null, tactics, techniques, severity: sentinelSeverity(rule.level) };
  let mapping: TableMapping;
  try {
    // What the in-process engine refuses is refused here too, with its message.
    compileDetection(rule, (f) => f);
    mapping = tableFor(target, rule.logsource);
  } catch (err) {
    if (!(err instanceof KqlUnsupported) && !(err instanceof RuleProblem)) throw err;
    return { result: { ...result, unsupported: err instanceof RuleProblem ? `the rule does not compile: ${err.path ? `${err.path}: ` : ""}${err.message}` : err.message }, rule };
  }
  result.table = mapping.table;
  const scope: ConversionScope = { table: mapping, extends: new Map() };
  const converter = new Converter(rule, scope);
  const where = anyOf(rule.conditions.map((text) => converter.condition(parseCondition(text, 'detection.condition'))));
  if (converter.problems.length) return { result: { ...result, unsupported: converter.problems.join('; ') }, rule, mapping };
  return { result: { ...result, query: queryText(mapping, scope, where) }, rule, mapping };
}

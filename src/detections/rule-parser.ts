import { isMap, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import { z } from 'zod';
import { RuleProblem } from './rule-errors';
import { SigmaNumber, sigmaLevels, sigmaStatuses, type DetectionValue, type SigmaRule } from './sigma-rule';

const logsourceSchema = z
  .object({
    product: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    service: z.string().min(1).optional(),
    definition: z.string().optional(),
  })
  .loose();

/** Top-level keys the engine reads; unknown keys are allowed (the spec permits custom fields). */
const ruleSchema = z
  .object({
    title: z.string().min(1).max(256),
    id: z.string().min(1).max(200).optional(),
    status: z.enum(sigmaStatuses).optional(),
    level: z.enum(sigmaLevels).optional(),
    tags: z.array(z.string()).optional(),
    description: z.string().optional(),
    author: z.string().optional(),
    falsepositives: z.array(z.string().nullable()).optional(),
    logsource: logsourceSchema,
    detection: z.record(z.string(), z.unknown()),
  })
  .loose();

/**
 * Keeps the source text of numeric scalars inside `detection` (Sigma compares values as text, so
 * `0x10` must not turn into 16) by wrapping them in SigmaNumber before conversion to JS.
 */
function preserveNumbers(doc: Document): void {
  if (!isMap(doc.contents)) return;
  const detection = doc.contents.get('detection', true);
  if (!detection || isScalar(detection)) return;
  visit(detection, {
    Scalar(_key, node) {
      if (typeof node.value === 'number') node.value = new SigmaNumber(node.value, node.source ?? String(node.value));
    },
  });
}

/** Top-level keys of the Sigma rule specification; anything else is a custom field. */
const specKeys = new Set([
  'title', 'id', 'related', 'name', 'taxonomy', 'status', 'description', 'license', 'author', 'references', 'date', 'modified',
  'logsource', 'detection', 'fields', 'falsepositives', 'level', 'tags', 'scope',
]);

function customFields(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const entries = Object.entries(record).filter(([k]) => !specKeys.has(k));
  return entries.length ? Object.fromEntries(entries) : undefined;
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'rule';
}

function conditionList(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new RuleProblem('detection.condition', 'the condition list is empty');
  return list.map((c, i) => {
    if (typeof c !== 'string' || !c.trim())
      throw new RuleProblem(`detection.condition${Array.isArray(raw) ? `[${i}]` : ''}`, 'a condition must be a non-empty string');
    return c;
  });
}

/** Parses one YAML document that holds a Sigma detection rule. */
export function parseRuleDocument(doc: Document, source: string): SigmaRule {
  if (doc.errors.length > 0) throw new RuleProblem('', `invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
  preserveNumbers(doc);
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new RuleProblem('', 'a rule must be a YAML mapping');
  const record = raw as Record<string, unknown>;
  if ('correlation' in record) throw new RuleProblem('correlation', 'correlation rules are not supported');
  if ('filter' in record && !('detection' in record)) throw new RuleProblem('filter', 'Sigma filter documents are not supported');
  if ('action' in record) throw new RuleProblem('action', 'rule collections (action: global/reset/repeat) are not supported');
  if (record.detection && typeof record.detection === 'object' && 'timeframe' in record.detection)
    throw new RuleProblem('detection.timeframe', 'timeframe (aggregation over time) is not supported');
  const parsed = ruleSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RuleProblem(issue?.path.map(String).join('.') ?? '', issue?.message ?? 'invalid rule');
  }
  const r = parsed.data;
  const { condition, ...identifiers } = r.detection;
  if (condition === undefined) throw new RuleProblem('detection.condition', 'the rule has no condition');
  const conditions = conditionList(condition);
  const { product, category, service } = r.logsource;
  const custom = customFields(record);
  return {
    id: r.id ?? `title:${slug(r.title)}`,
    title: r.title,
    status: r.status,
    level: r.level ?? 'medium',
    tags: r.tags ?? [],
    description: r.description,
    author: r.author,
    falsepositives: (r.falsepositives ?? []).filter((f): f is string => typeof f === 'string'),
    logsource: {
      ...(product ? { product: product.toLowerCase() } : {}),
      ...(category ? { category: category.toLowerCase() } : {}),
      ...(service ? { service: service.toLowerCase() } : {}),
    },
    detection: identifiers as Record<string, DetectionValue>,
    conditions,
    source,
    ...(custom ? { custom } : {}),
  };
}

export interface ParsedRuleFile {
  rules: SigmaRule[];
  failures: { source: string; title?: string; error: unknown }[];
  /** Documents that are not Sigma rules at all (no detection, logsource or correlation), e.g. metadata files. */
  notRules: string[];
}

/** A YAML mapping is taken for a Sigma rule when it has any of the keys only rules have. */
function looksLikeRule(doc: Document): boolean {
  const contents = doc.contents;
  return !isMap(contents) || ['detection', 'logsource', 'correlation', 'filter'].some((k) => contents.has(k));
}

/**
 * Parses a YAML file that may hold several rule documents (`---`). Each document succeeds or fails
 * on its own; failures carry the document's source label.
 */
export function parseRuleFile(text: string, file: string): ParsedRuleFile {
  const docs = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  const out: ParsedRuleFile = { rules: [], failures: [], notRules: [] };
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    out.failures.push({ source: file, error: new RuleProblem('', 'invalid YAML stream') });
    return out;
  }
  const meaningful = list.filter((d) => d.contents !== null);
  meaningful.forEach((doc, i) => {
    const source = meaningful.length > 1 ? `${file}[${i}]` : file;
    const title = isMap(doc.contents) ? doc.contents.get('title') : undefined;
    if (doc.errors.length === 0 && !looksLikeRule(doc)) {
      out.notRules.push(source);
      return;
    }
    try {
      out.rules.push(parseRuleDocument(doc, source));
    } catch (error) {
      out.failures.push({ source, title: typeof title === 'string' ? title : undefined, error });
    }
  });
  if (meaningful.length === 0) out.failures.push({ source: file, error: new RuleProblem('', 'the file holds no rule') });
  return out;
}

import { RuleProblem } from './rule-errors';

/**
 * The condition language (sigma-rules-specification §Condition): `and`, `or`, `not`, parentheses,
 * `1 of x*` / `any of x*` / `all of x*` and `… of them`. Precedence, loosest first: or, and, not,
 * `x of`, parentheses. Aggregations (`| count() …`) and `near` belong to Sigma v1 and are refused.
 */
export type ConditionNode =
  | { type: 'and' | 'or'; children: ConditionNode[] }
  | { type: 'not'; child: ConditionNode }
  | { type: 'ref'; name: string }
  | { type: 'of'; quantifier: 'any' | 'all'; pattern: string | 'them' };

type Token = { kind: 'lparen' } | { kind: 'rparen' } | { kind: 'word'; text: string; pos: number };

function tokenize(text: string, path: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|([^\s()]+))/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < text.length && (m = re.exec(text)) !== null) {
    if (m[1]) tokens.push({ kind: 'lparen' });
    else if (m[2]) tokens.push({ kind: 'rparen' });
    else if (m[3]) {
      const word = m[3];
      if (word.includes('|')) throw new RuleProblem(path, "aggregation expressions ('| count() …') are not supported; Sigma v2 expresses them as correlation rules");
      tokens.push({ kind: 'word', text: word, pos: m.index });
    }
    if (m[0] === '') break;
  }
  if (text.slice(re.lastIndex).trim()) throw new RuleProblem(path, `cannot read the condition near '${text.slice(re.lastIndex)}'`);
  return tokens;
}

const keywords = new Set(['and', 'or', 'not', 'of', 'them']);

export function parseCondition(text: string, path: string): ConditionNode {
  const tokens = tokenize(text, path);
  let i = 0;
  const peekWord = (): string | undefined => {
    const t = tokens[i];
    return t?.kind === 'word' ? t.text.toLowerCase() : undefined;
  };
  const fail = (message: string): never => {
    throw new RuleProblem(path, `${message} in condition '${text}'`);
  };

  const parseOr = (): ConditionNode => {
    const children = [parseAnd()];
    while (peekWord() === 'or') {
      i++;
      children.push(parseAnd());
    }
    return children.length === 1 ? (children[0] as ConditionNode) : { type: 'or', children };
  };
  const parseAnd = (): ConditionNode => {
    const children = [parseNot()];
    while (peekWord() === 'and') {
      i++;
      children.push(parseNot());
    }
    return children.length === 1 ? (children[0] as ConditionNode) : { type: 'and', children };
  };
  const parseNot = (): ConditionNode => {
    if (peekWord() === 'not') {
      i++;
      return { type: 'not', child: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): ConditionNode => {
    const t = tokens[i];
    if (!t) return fail('unexpected end');
    if (t.kind === 'lparen') {
      i++;
      const inner = parseOr();
      if (tokens[i]?.kind !== 'rparen') fail("missing ')'");
      i++;
      return inner;
    }
    if (t.kind === 'rparen') return fail("unexpected ')'");
    const word = t.text.toLowerCase();
    const next = tokens[i + 1];
    if (next?.kind === 'word' && next.text.toLowerCase() === 'of') {
      let quantifier: 'any' | 'all';
      if (word === '1' || word === 'any') quantifier = 'any';
      else if (word === 'all') quantifier = 'all';
      else return fail(`'${t.text} of' is not supported (only '1 of', 'any of' and 'all of')`);
      const target = tokens[i + 2];
      if (target?.kind !== 'word') return fail(`'${t.text} of' needs a search identifier pattern or 'them'`);
      i += 3;
      return { type: 'of', quantifier, pattern: target.text.toLowerCase() === 'them' ? 'them' : target.text };
    }
    if (word === 'near') return fail("'near' is not supported");
    if (keywords.has(word)) return fail(`unexpected '${t.text}'`);
    i++;
    return { type: 'ref', name: t.text };
  };

  if (tokens.length === 0) fail('empty condition');
  const node = parseOr();
  if (i < tokens.length) {
    const t = tokens[i];
    fail(`unexpected ${t?.kind === 'word' ? `'${t.text}'` : 'parenthesis'}`);
  }
  return node;
}

/** Identifiers matched by an `x of` pattern (`*` wildcards); `them` is every identifier not starting with `_`. */
export function expandPattern(pattern: string | 'them', identifiers: readonly string[]): string[] {
  if (pattern === 'them') return identifiers.filter((id) => !id.startsWith('_'));
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return identifiers.filter((id) => re.test(id));
}

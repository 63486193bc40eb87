import { isIP } from 'node:net';

/**
 * A small KQL interpreter for the queries `argus rules kql` writes, written apart from the
 * converter so the two can check each other: `Table | where … | extend … | where …` over rows of
 * one table. It knows only what the converter emits (string, numeric and list comparisons, regex,
 * the functions below) and throws on anything else, including comparisons KQL would reject as a
 * type error (a number column against a string).
 */

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

type Tok = { t: 'id' | 'str' | 'num' | 'op' | 'p'; v: string };

const opWords = ['contains_cs', 'contains', 'startswith_cs', 'startswith', 'endswith_cs', 'endswith', 'and', 'or', 'not', 'in', 'matches', 'regex', 'true', 'false'];

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '"') {
      let s = '';
      i++;
      while (text[i] !== '"') {
        if (i >= text.length) throw new Error('unterminated string');
        if (text[i] === '\\') {
          const e = text[i + 1] as string;
          s += ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e] ?? e;
          i += 2;
        } else s += text[i++];
      }
      i++;
      out.push({ t: 'str', v: s });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(text.slice(i)) as RegExpExecArray;
      out.push({ t: 'num', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*~?/.exec(text.slice(i)) as RegExpExecArray;
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
    } else if ('(),'.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
    } else {
      const m = /^(=~|==|!~|!=|<=|>=|<|>|=|!in~|!in)/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected '${c}' in ${text}`);
      out.push({ t: 'op', v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

type Node = (row: Row) => Cell;

const str = (v: Cell): string => (v === null ? '' : String(v));

function ipv4(text: string): number | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function inV4Range(ip: Cell, network: string): boolean {
  const [base = '', bits = '32'] = network.split('/');
  const a = ipv4(str(ip));
  const b = ipv4(base);
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
}

/** RE2 with leading `(?flags)` groups → a JavaScript RegExp. */
function re2(source: string): RegExp {
  let flags = '';
  let rest = source;
  for (let m = /^\(\?([imsU]+)\)/.exec(rest); m; m = /^\(\?([imsU]+)\)/.exec(rest)) {
    for (const f of m[1] as string) if (!flags.includes(f)) flags += f;
    rest = rest.slice(m[0].length);
  }
  return new RegExp(rest, flags);
}

function compare(op: string, a: Cell, b: Cell): boolean {
  const ci = op.endsWith('~') || ['contains', 'startswith', 'endswith'].includes(op);
  if ((op === '==' || op === '!=') && typeof a !== typeof b && a !== null && b !== null) throw new Error(`KQL type error: ${typeof a} ${op} ${typeof b}`);
  if (['<', '<=', '>', '>='].includes(op)) {
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
  }
  if ((op === '=~' || op === '!~') && (typeof a === 'number' || typeof b === 'number')) throw new Error(`KQL type error: ${op} on a number`);
  const x = ci ? str(a).toLowerCase() : str(a);
  const y = ci ? str(b).toLowerCase() : str(b);
  switch (op.replace(/_cs$/, '')) {
    case '==':
      return typeof a === 'number' ? a === b : x === y;
    case '=~':
      return x === y;
    case '!=':
    case '!~':
      return x !== y;
    case 'contains':
      return x.includes(y);
    case 'startswith':
      return x.startsWith(y);
    case 'endswith':
      return x.endsWith(y);
    default:
      throw new Error(`unknown operator ${op}`);
  }
}

const functions: Record<string, (args: Cell[]) => Cell> = {
  isempty: ([v]) => v === null || v === '',
  isnotempty: ([v]) => !(v === null || v === ''),
  strcat: (args) => args.map(str).join(''),
  iff: ([c, a, b]) => (c === true ? (a ?? null) : (b ?? null)),
  tolong: ([v]) => (v !== undefined && v !== null && /^-?\d+$/.test(str(v)) ? Number(v) : null),
  tohex: ([v, n]) => (typeof v === 'number' ? v.toString(16).padStart(Number(n ?? 0), '0') : null),
  ipv4_is_in_range: ([ip, net]) => inV4Range(ip ?? null, str(net ?? null)),
  ipv4_is_in_any_range: ([ip, ...nets]) => nets.some((n) => inV4Range(ip ?? null, str(n))),
};

class Parser {
  private i = 0;
  constructor(private readonly toks: Tok[]) {}

  done(): boolean {
    return this.i >= this.toks.length;
  }
  private peek(): Tok | undefined {
    return this.toks[this.i];
  }
  /** The next token is this punctuation or keyword (a string literal never is). */
  private at(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t !== 'str' && t.v === v;
  }
  private take(v?: string): Tok {
    const t = this.toks[this.i++];
    if (!t || (v !== undefined && (t.v !== v || t.t === 'str'))) throw new Error(`expected ${v ?? 'a token'}, got ${t?.v ?? 'the end'}`);
    return t;
  }

  expr(): Node {
    let left = this.and();
    while (this.at('or')) {
      this.take();
      const l = left;
      const r = this.and();
      left = (row) => l(row) === true || r(row) === true;
    }
    return left;
  }
  private and(): Node {
    let left = this.unary();
    while (this.at('and')) {
      this.take();
      const l = left;
      const r = this.unary();
      left = (row) => l(row) === true && r(row) === true;
    }
    return left;
  }
  private unary(): Node {
    if (this.at('not')) {
      this.take();
      this.take('(');
      const inner = this.expr();
      this.take(')');
      return (row) => inner(row) !== true;
    }
    const left = this.operand();
    const op = this.peek();
    if (!op || op.t === 'p' || this.at('and') || this.at('or')) return left;
    this.take();
    if (op.v === 'matches') {
      this.take('regex');
      const re = re2(this.take().v);
      return (row) => re.test(str(left(row)));
    }
    if (op.v === 'in' || op.v === 'in~' || op.v === '!in' || op.v === '!in~') {
      const items = this.args();
      const ci = op.v.endsWith('~');
      return (row) => {
        const v = left(row);
        const hit = items.some((n) => compare(ci ? '=~' : '==', v, n(row)));
        return op.v.startsWith('!') ? !hit : hit;
      };
    }
    const right = this.operand();
    return (row) => compare(op.v, left(row), right(row));
  }
  private args(): Node[] {
    this.take('(');
    const out: Node[] = [];
    while (!this.at(')')) {
      out.push(this.expr());
      if (this.at(',')) this.take();
    }
    this.take(')');
    return out;
  }
  private operand(): Node {
    const t = this.take();
    if (t.t === 'p' && t.v === '(') {
      const inner = this.expr();
      this.take(')');
      return inner;
    }
    if (t.t === 'str') return () => t.v;
    if (t.t === 'num') return () => Number(t.v);
    if (t.v === 'true' || t.v === 'false') return () => t.v === 'true';
    if (t.t !== 'id' || opWords.includes(t.v)) throw new Error(`unexpected ${t.v}`);
    if (this.at('(')) {
      const fn = functions[t.v];
      if (!fn) throw new Error(`unknown function ${t.v}`);
      const args = this.args();
      return (row) => fn(args.map((a) => a(row)));
    }
    return (row) => (Object.hasOwn(row, t.v) ? (row[t.v] as Cell) : null);
  }
}

function parseAll(text: string, what: (p: Parser) => Node): Node {
  const p = new Parser(tokenize(text));
  const node = what(p);
  if (!p.done()) throw new Error(`trailing tokens in ${text}`);
  return node;
}

/** A compiled query: its table, and the rows of that table it selects. */
export function compileKql(query: string): { table: string; select: (row: Row) => boolean } {
  const [table = '', ...stages] = query.split('\n');
  const steps = stages.map((line) => {
    const where = /^\| where (.*)$/s.exec(line);
    if (where) {
      const cond = parseAll(where[1] as string, (p) => p.expr());
      return (row: Row): Row | undefined => (cond(row) === true ? row : undefined);
    }
    const extend = /^\| extend (\w+) = (.*)$/s.exec(line);
    if (!extend) throw new Error(`unsupported stage: ${line}`);
    const value = parseAll(extend[2] as string, (p) => p.expr());
    return (row: Row): Row => ({ ...row, [extend[1] as string]: value(row) });
  });
  if (!/^\w+$/.test(table)) throw new Error(`not a table: ${table}`);
  return {
    table,
    select(row) {
      let current: Row | undefined = row;
      for (const step of steps) if (current) current = step(current);
      return current !== undefined;
    },
  };
}

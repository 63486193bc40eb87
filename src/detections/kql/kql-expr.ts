/**
 * The boolean shape of a converted condition, rendered the way pySigma's Kusto backend renders it
 * (its `parenthesize` mode): every nested group is parenthesised, a negation is `not(…)`, and the
 * values of one field stay one group (`F in~ ("a", "b") or F startswith "c"`), parenthesised as a
 * whole when it sits inside something else.
 */
export type KqlExpr =
  | { kind: 'term'; text: string }
  | { kind: 'list'; op: 'and' | 'or'; terms: string[] }
  | { kind: 'and' | 'or'; items: KqlExpr[] }
  | { kind: 'not'; item: KqlExpr };

export function term(text: string): KqlExpr {
  return { kind: 'term', text };
}

/** One field's comparisons; a single one is a plain term. */
export function list(op: 'and' | 'or', terms: string[]): KqlExpr {
  return terms.length === 1 ? term(terms[0] as string) : { kind: 'list', op, terms };
}

function group(kind: 'and' | 'or', items: KqlExpr[]): KqlExpr {
  if (items.length === 0) throw new Error(`an empty '${kind}'`);
  return items.length === 1 ? (items[0] as KqlExpr) : { kind, items };
}

export const allOf = (items: KqlExpr[]): KqlExpr => group('and', items);
export const anyOf = (items: KqlExpr[]): KqlExpr => group('or', items);

export function not(item: KqlExpr): KqlExpr {
  return { kind: 'not', item };
}

function nested(expr: KqlExpr): string {
  return expr.kind === 'term' ? expr.text : `(${renderKql(expr)})`;
}

export function renderKql(expr: KqlExpr): string {
  switch (expr.kind) {
    case 'term':
      return expr.text;
    case 'list':
      return expr.terms.join(` ${expr.op} `);
    case 'and':
    case 'or':
      return expr.items.map(nested).join(` ${expr.kind} `);
    case 'not':
      return `not(${nested(expr.item)})`;
  }
}

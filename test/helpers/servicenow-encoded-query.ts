/**
 * ServiceNow encoded queries as the fake instance reads them: terms separated by a single `^`
 * (`^^` is a literal `^` inside a value), `^OR` joining a term to the one before, `ORDERBY` /
 * `ORDERBYDESC` for the order. Operators: `=`, `!=`, `LIKE`.
 */
export type Condition = { field: string; op: '=' | '!=' | 'LIKE'; value: string };

/** The terms of an encoded query: a single `^` separates them, `^^` is a literal `^` inside a value. */
export function splitEncodedQuery(query: string): string[] {
  const terms: string[] = [];
  let current = '';
  for (let i = 0; i < query.length; i += 1) {
    const ch = query[i]!;
    if (ch !== '^') current += ch;
    else if (query[i + 1] === '^') {
      current += '^';
      i += 1;
    } else {
      terms.push(current);
      current = '';
    }
  }
  terms.push(current);
  return terms;
}

/** `a=1^b=2^ORc=3^ORDERBYDESCd` → AND-groups of OR-conditions, plus ordering. */
export function parseEncodedQuery(query: string): { groups: Condition[][]; order?: { field: string; desc: boolean } } {
  const groups: Condition[][] = [];
  let order: { field: string; desc: boolean } | undefined;
  for (const raw of splitEncodedQuery(query)) {
    if (!raw) continue;
    if (raw.startsWith('ORDERBYDESC')) order = { field: raw.slice(11), desc: true };
    else if (raw.startsWith('ORDERBY')) order = { field: raw.slice(7), desc: false };
    else {
      const isOr = raw.startsWith('OR') && groups.length > 0 && /^OR[a-z_]/.test(raw);
      const text = isOr ? raw.slice(2) : raw;
      const m = /^([a-z_.]+)(!=|=|LIKE)(.*)$/.exec(text);
      if (!m) throw new Error(`unsupported encoded query term ${raw}`);
      const cond = { field: m[1]!, op: m[2] as Condition['op'], value: m[3]! };
      if (isOr) groups[groups.length - 1]!.push(cond);
      else groups.push([cond]);
    }
  }
  return { groups, order };
}

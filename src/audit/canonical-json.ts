/**
 * Canonical JSON: the same value always yields the same text, whatever order its keys were built
 * in. Object keys are sorted by UTF-16 code unit (JavaScript's default sort), no whitespace,
 * arrays keep their order, `undefined` members are left out (as JSON.stringify does). Values JSON
 * cannot represent faithfully (non-finite numbers, bigint, functions, symbols, cycles) are refused
 * rather than silently changed, so a hash over this text never depends on a lossy conversion; so is
 * nesting deeper than 512 levels, rather than overflowing the stack.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

/** Far above anything Argus audits (request bodies are bounded at 64 levels), far below the stack's limit. */
const maxDepth = 512;

function write(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot hold ${value}`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (seen.has(value)) throw new TypeError('canonical JSON cannot hold a cycle');
  // `seen` holds the ancestors: refuse depth plainly rather than overflow the stack somewhere.
  if (seen.size >= maxDepth) throw new TypeError(`canonical JSON nests at most ${maxDepth} levels deep`);
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((v: unknown) => (v === undefined ? 'null' : write(v, seen))).join(',')}]`;
    }
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${write(record[k], seen)}`);
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(value);
  }
}

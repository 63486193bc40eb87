import { ArgusError } from '../errors/catalog';

/**
 * Deepest nesting of arrays and objects a request body may have. Real bodies stay far below it
 * (a Sentinel incident with alerts and entities, a Jira issue with an ADF comment and Teams
 * activities with card data nest about 10 levels); JSON.parse itself copes with any depth, but
 * every later walk over the value (JSON.stringify, zod, templating, canonical JSON) recurses,
 * and a few thousand levels exhaust the stack.
 */
export const maxJsonDepth = 64;

const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const openBracket = 0x5b;
const closeBrace = 0x7d;
const closeBracket = 0x5d;

/**
 * Whether arrays and objects in JSON text nest deeper than `limit`: one pass over the bytes, no
 * recursion and no allocation, stopping at the first level too deep. Brackets inside strings do
 * not count (escapes are honoured). UTF-8 continuation bytes are all ≥ 0x80, so scanning bytes
 * sees exactly the ASCII structure the text has. Exact for valid JSON; invalid JSON is refused
 * by the parser afterwards whatever this answers.
 */
export function nestsDeeperThan(raw: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i];
    if (inString) {
      if (c === backslash) i += 1;
      else if (c === quote) inString = false;
    } else if (c === quote) {
      inString = true;
    } else if (c === openBrace || c === openBracket) {
      depth += 1;
      if (depth > limit) return true;
    } else if (c === closeBrace || c === closeBracket) {
      depth -= 1;
    }
  }
  return false;
}

export type UntrustedJsonFailure = 'too-deep' | 'invalid-json';
export type UntrustedJsonResult = { ok: true; value: unknown } | { ok: false; reason: UntrustedJsonFailure; error: ArgusError };

const protoKey = Buffer.from('__proto__');
const unicodeEscape = Buffer.from('\\u');

/**
 * JSON.parse makes a `__proto__` key an own property, but any later `target[key] = value` copy of
 * that object (Object.assign, a merge in a dependency, a template engine) sets the copy's
 * prototype instead. Such keys never carry meaning in what Argus receives, so they are dropped
 * while parsing. The reviver costs a few times the parse, so it runs only when the text could
 * hold such a key: literally, or spelled with a \u escape.
 */
function mayHoldProtoKey(raw: Buffer): boolean {
  return raw.includes(protoKey) || raw.includes(unicodeEscape);
}

function dropProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

/**
 * Parses a request body that nobody vouches for the shape of: nesting is bounded before anything
 * is built (400 `ARGUS_BAD_PAYLOAD` saying so), and `__proto__` keys are dropped.
 */
export function parseUntrustedJson(raw: Buffer, options: { maxDepth?: number } = {}): UntrustedJsonResult {
  const limit = options.maxDepth ?? maxJsonDepth;
  if (nestsDeeperThan(raw, limit)) {
    const message = `arrays and objects nest more than ${limit} levels deep`;
    return { ok: false, reason: 'too-deep', error: new ArgusError('ARGUS_BAD_PAYLOAD', `the body nests too deeply: ${message}`, { details: [{ message }] }) };
  }
  try {
    const text = raw.toString('utf8');
    return { ok: true, value: mayHoldProtoKey(raw) ? (JSON.parse(text, dropProtoKeys) as unknown) : (JSON.parse(text) as unknown) };
  } catch (err) {
    return {
      ok: false,
      reason: 'invalid-json',
      error: new ArgusError('ARGUS_BAD_PAYLOAD', 'the body is not valid JSON', { cause: err, details: [{ message: err instanceof Error ? err.message : 'invalid JSON' }] }),
    };
  }
}

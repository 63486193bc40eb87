/**
 * Splits a text stream of events into JSON values without knowing its layout in advance: one
 * object, an array of objects, JSON Lines, or pretty-printed objects written one after another
 * (as EVTX dumps often are). Text arrives in chunks; each complete event is handed out as soon as
 * its closing bracket is read, so a large array or a followed file never sits whole in memory.
 */

export type StreamItem =
  | { kind: 'event'; index: number; line: number; value: Record<string, unknown> }
  | { kind: 'error'; index: number; line: number; message: string };

const OPEN_OBJ = 123; // {
const CLOSE_OBJ = 125; // }
const OPEN_ARR = 91; // [
const CLOSE_ARR = 93; // ]
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const NEWLINE = 10;
/** One event may not exceed this many characters (a runaway value would otherwise grow without bound). */
export const maxEventChars = 16 * 1024 * 1024;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;
}

function tryParseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export class JsonEventSplitter {
  private buf = '';
  /** Scan position in `buf`. */
  private pos = 0;
  /** Start of the value being read, or -1. */
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Depth of an enclosing top-level array (1) whose elements are the events, else 0. */
  private arrayDepth = 0;
  private line = 1;
  private startLine = 1;
  private index = 0;
  /** After an error: skip to the next line that may start an event. */
  private resync = false;

  /** Feeds text; returns the events (and per-event errors) completed by it. */
  push(chunk: string): StreamItem[] {
    this.buf += chunk;
    const out: StreamItem[] = [];
    const buf = this.buf;
    const n = buf.length;
    let i = this.pos;
    for (; i < n; i++) {
      const c = buf.charCodeAt(i);
      if (c === NEWLINE) {
        this.line++;
        if (this.resync) {
          this.resync = false;
          this.depth = 0;
          this.start = -1;
          this.inString = false;
          this.arrayDepth = 0;
          continue;
        }
      }
      if (this.resync) continue;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (this.start < 0) {
        // Between events: whitespace, a top-level array's brackets and commas.
        if (isSpace(c)) continue;
        if (c === OPEN_OBJ && this.arrayDepth === 0) {
          // JSON Lines fast path: a whole line that parses is one event, with no character scan.
          const nl = buf.indexOf('\n', i);
          let end = nl - 1;
          while (end > i && isSpace(buf.charCodeAt(end))) end--;
          if (nl > i + 1 && buf.charCodeAt(end) === CLOSE_OBJ) {
            const parsed = tryParseObject(buf.slice(i, nl));
            if (parsed) {
              out.push({ kind: 'event', index: this.index++, line: this.line, value: parsed });
              i = nl - 1;
              continue;
            }
          }
        }
        if (c === OPEN_OBJ) {
          this.start = i;
          this.startLine = this.line;
          this.depth = 1;
        } else if (c === OPEN_ARR && this.arrayDepth === 0) {
          this.arrayDepth = 1;
        } else if (this.arrayDepth === 1 && (c === COMMA || c === CLOSE_ARR)) {
          if (c === CLOSE_ARR) this.arrayDepth = 0;
        } else {
          out.push(this.fail(`expected a JSON object, found '${buf[i]}'`));
        }
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_OBJ || c === OPEN_ARR) this.depth++;
      else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
        this.depth--;
        if (this.depth === 0) {
          out.push(this.emit(buf.slice(this.start, i + 1)));
          this.start = -1;
        }
      }
    }
    // Keep only the unfinished value (or nothing) for the next chunk.
    if (this.start >= 0 && i - this.start > maxEventChars) {
      out.push(this.fail(`an event is larger than ${maxEventChars} characters`));
      this.buf = '';
      this.pos = 0;
    } else if (this.start >= 0) {
      this.buf = buf.slice(this.start);
      this.pos = i - this.start;
      this.start = 0;
    } else {
      this.buf = '';
      this.pos = 0;
    }
    return out;
  }

  /** Call at end of input: an unfinished event is an error. */
  end(): StreamItem[] {
    if (this.start >= 0 && this.buf.slice(this.start).trim()) {
      const item = this.fail('the input ends inside an event');
      this.buf = '';
      this.start = -1;
      return [item];
    }
    return [];
  }

  private emit(text: string): StreamItem {
    const index = this.index++;
    try {
      const value: unknown = JSON.parse(text);
      return { kind: 'event', index, line: this.startLine, value: value as Record<string, unknown> };
    } catch (err) {
      return { kind: 'error', index, line: this.startLine, message: err instanceof Error ? err.message : String(err) };
    }
  }

  private fail(message: string): StreamItem {
    const item: StreamItem = { kind: 'error', index: this.index++, line: this.line, message };
    this.resync = true;
    this.start = -1;
    this.depth = 0;
    return item;
  }
}

/** Splits a whole text at once. */
export function splitJsonEvents(text: string): StreamItem[] {
  const s = new JsonEventSplitter();
  return [...s.push(text), ...s.end()];
}

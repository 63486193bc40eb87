import type { FieldValue, FlatEvent } from './flatten-event';

/** A field's value as text: one string, several (array fields), or null when missing or null. */
export type TextValue = string | string[] | null;

function toText(v: FieldValue | undefined, lower: boolean): TextValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return lower ? v.toLowerCase() : v;
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v) {
      if (item === null) continue;
      const s = typeof item === 'string' ? item : String(item);
      out.push(lower ? s.toLowerCase() : s);
    }
    return out;
  }
  return String(v);
}

/**
 * One event as rules see it. Each field is converted to text and case-folded at most once per
 * event, however many rules look at it (rule values are folded once, at compile time).
 */
export class EventView {
  private readonly lowered = new Map<string, TextValue>();
  /** Created on first use: most events only need case-folded text. */
  private texts: Map<string, TextValue> | undefined;

  constructor(readonly fields: FlatEvent) {}

  has(field: string): boolean {
    return this.fields.has(field) || (this.fields.spaceless?.has(field) ?? false);
  }

  /** A field by name, or else the spaced Windows data name it stands for (`ThreatName` → `Threat Name`). */
  raw(field: string): FieldValue | undefined {
    const v = this.fields.get(field);
    if (v !== undefined || this.fields.spaceless === undefined) return v;
    const spaced = this.fields.spaceless.get(field);
    return spaced === undefined ? undefined : this.fields.get(spaced);
  }

  /** The name the event records a field under (`Threat Name` for `ThreatName`), for explanations. */
  recordedName(field: string): string {
    if (this.fields.has(field)) return field;
    return this.fields.spaceless?.get(field) ?? field;
  }

  /** Case-folded text of a field (memoised). */
  lower(field: string): TextValue {
    let v = this.lowered.get(field);
    if (v === undefined) {
      v = toText(this.raw(field), true);
      this.lowered.set(field, v);
    }
    return v;
  }

  /** Text of a field as written (memoised). */
  text(field: string): TextValue {
    const texts = (this.texts ??= new Map());
    let v = texts.get(field);
    if (v === undefined) {
      v = toText(this.raw(field), false);
      texts.set(field, v);
    }
    return v;
  }

  /** True when `test` holds for the field's text (any element of an array field). */
  some(field: string, cased: boolean, test: (s: string) => boolean): boolean {
    return cased ? this.someText(field, test) : this.someLower(field, test);
  }

  /** `some` over case-folded text: the hot path of almost every rule value. */
  someLower(field: string, test: (s: string) => boolean): boolean {
    const v = this.lower(field);
    if (v === null) return false;
    if (typeof v === 'string') return test(v);
    for (const s of v) if (test(s)) return true;
    return false;
  }

  someText(field: string, test: (s: string) => boolean): boolean {
    const v = this.text(field);
    if (v === null) return false;
    if (typeof v === 'string') return test(v);
    for (const s of v) if (test(s)) return true;
    return false;
  }

  /** The first field (and its text) for which `test` holds, searching every field (keywords). */
  findAnyField(cased: boolean, test: (s: string) => boolean): { field: string; text: string } | undefined {
    for (const field of this.fields.keys()) {
      const v = cased ? this.text(field) : this.lower(field);
      if (v === null) continue;
      if (typeof v === 'string') {
        if (test(v)) return { field, text: v };
      } else {
        for (const s of v) if (test(s)) return { field, text: s };
      }
    }
    return undefined;
  }
}

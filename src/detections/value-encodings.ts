/**
 * Value transformations of the Sigma modifiers appendix: base64, base64offset, utf16le/utf16be/utf16/wide
 * and windash. Encoded values are held as "binary strings" (one char per byte, latin1) until base64
 * turns them back into text.
 */

export interface EncodedText {
  text: string;
  /** true when `text` holds raw bytes (one char per byte) rather than Unicode text. */
  binary: boolean;
}

function toBytes(value: EncodedText): Buffer {
  return Buffer.from(value.text, value.binary ? 'latin1' : 'utf8');
}

export function base64(value: EncodedText): EncodedText {
  return { text: toBytes(value).toString('base64'), binary: false };
}

/**
 * The three base64 renderings of a value that sits at byte offset 0, 1 or 2 inside a longer
 * encoded string, keeping only the characters that do not depend on the surrounding bytes.
 */
export function base64Offsets(value: EncodedText): EncodedText[] {
  const bytes = toBytes(value);
  const startOffsets = [0, 2, 3];
  const endTrim = [0, 3, 2];
  const out: EncodedText[] = [];
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    const trim = endTrim[(bytes.length + i) % 3] as number;
    out.push({ text: encoded.slice(startOffsets[i], encoded.length - trim), binary: false });
  }
  return out;
}

export function utf16le(value: EncodedText): EncodedText {
  return { text: Buffer.from(value.text, 'utf16le').toString('latin1'), binary: true };
}

export function utf16be(value: EncodedText): EncodedText {
  const le = Buffer.from(value.text, 'utf16le');
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1] as number;
    be[i + 1] = le[i] as number;
  }
  return { text: be.toString('latin1'), binary: true };
}

/** UTF-16 with a byte order mark, little endian (what Windows writes). */
export function utf16WithBom(value: EncodedText): EncodedText {
  return { text: `\xff\xfe${utf16le(value).text}`, binary: true };
}

/** The characters `windash` treats as interchangeable: hyphen, slash, en dash, em dash, horizontal bar. */
export const windashChars = ['-', '/', '\u2013', '\u2014', '\u2015'] as const;
const windashSet = new Set<string>(windashChars);
/** 5^6 variants is the most one value may expand into. */
export const maxWindashPositions = 6;

export function countWindashPositions(text: string): number {
  let n = 0;
  for (const c of text) if (windashSet.has(c)) n++;
  return n;
}

/** Every permutation of the dash characters in `text` (the text itself included). */
export function windashVariants(text: string): string[] {
  let variants = [''];
  for (const c of text) {
    if (windashSet.has(c)) {
      const next: string[] = [];
      for (const v of variants) for (const d of windashChars) next.push(v + d);
      variants = next;
    } else {
      for (let i = 0; i < variants.length; i++) variants[i] += c;
    }
  }
  return variants;
}

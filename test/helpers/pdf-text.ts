import { execFileSync } from 'node:child_process';
import { inflateSync } from 'node:zlib';

/**
 * The text of a PDF, for tests: `pdftotext` (poppler) when the machine has it, else a reader of
 * the content streams pdfkit writes (Flate-compressed, text shown with hex strings in TJ arrays,
 * WinAnsi-encoded standard fonts). Either way the file must be well-formed enough to be read.
 */
export function pdfText(pdf: Buffer): string {
  if (hasPdftotext()) return execFileSync('pdftotext', ['-q', '-layout', '-', '-'], { input: pdf, maxBuffer: 16 * 1024 * 1024 }).toString('utf8');
  return contentStreamText(pdf);
}

let found: boolean | undefined;
function hasPdftotext(): boolean {
  if (found === undefined) {
    try {
      execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
  }
  return found;
}

/** Text shown by the content streams, a line per text object (BT … ET). */
export function contentStreamText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  if (!raw.startsWith('%PDF-') || !raw.trimEnd().endsWith('%%EOF')) throw new Error('not a complete PDF file');
  const lines: string[] = [];
  const streamRe = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = streamRe.exec(raw); m; m = streamRe.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) throw new Error('a stream has no end');
    let body = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(m[1]!)) {
      try {
        body = inflateSync(body);
      } catch {
        continue; // not a content stream we can read (e.g. a font program)
      }
    }
    const text = body.toString('latin1');
    if (!text.includes('BT')) continue;
    for (const obj of text.split(/\bET\b/)) {
      const shown = [...obj.matchAll(/\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)]
        .map((t) => (t[1] ?? `<${t[2]}>`).match(/<[0-9a-fA-F]*>/g)?.map((h) => Buffer.from(h.slice(1, -1), 'hex').toString('latin1')).join('') ?? '')
        .join('');
      if (shown) lines.push(shown);
    }
  }
  return lines.join('\n');
}

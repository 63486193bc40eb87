import type { IncomingMessage } from 'node:http';
import { ArgusError } from '../errors/catalog';
import { parseUntrustedJson, type UntrustedJsonFailure } from './untrusted-json';

/**
 * Reads the request body as raw bytes, refusing it as soon as it passes `limit` (so an oversized
 * body is never buffered whole). Signatures are computed over these exact bytes.
 */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `body is ${declared} bytes; the limit is ${limit}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) reject(new ArgusError('ARGUS_BAD_REQUEST', 'the request body could not be read', { cause: err }));
    });
  });
}

/**
 * The request body as it arrives, for routes that stream it (uploads): refused before the first
 * byte when Content-Length declares more than `limit`, and as soon as more than `limit` bytes came.
 * `consumed` tells whether it was read to the end (otherwise the connection must not be reused).
 */
export function streamBody(req: IncomingMessage, limit: number): { chunks: AsyncIterable<Buffer>; consumed(): boolean } {
  let consumed = false;
  async function* chunks(): AsyncGenerator<Buffer> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `body is ${declared} bytes; the limit is ${limit}`);
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) throw new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `body exceeds the limit of ${limit} bytes`);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ArgusError) throw err;
      throw new ArgusError('ARGUS_BAD_REQUEST', 'the request body could not be read', { cause: err });
    }
    consumed = true;
  }
  return { chunks: chunks(), consumed: () => consumed };
}

export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(type);
}

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; reason: 'content-type' | UntrustedJsonFailure; error: ArgusError };

/** Checks the content type, then parses with bounded nesting (see untrusted-json.ts); failures are clear 415 / 400 errors. */
export function readJsonBody(raw: Buffer, contentType: string | undefined): JsonBodyResult {
  if (!isJsonContentType(contentType)) {
    const error = new ArgusError('ARGUS_UNSUPPORTED_MEDIA_TYPE', `content type '${contentType ?? '(none)'}' is not JSON; send application/json`);
    return { ok: false, reason: 'content-type', error };
  }
  return parseUntrustedJson(raw);
}

/** readJsonBody for callers that let the error reach the error handler. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  const body = readJsonBody(raw, contentType);
  if (!body.ok) throw body.error;
  return body.value;
}

import { gunzipSync, gzipSync } from 'node:zlib';
import { ArgusError } from '../errors/catalog';

/**
 * Table Storage caps a property at 64 KiB and an entity at 1 MiB. Incidents with hundreds of
 * entities exceed one property as JSON, so values are gzipped and split over binary properties
 * `<prefix>0..<prefix>N` with the count in `<prefix>Parts`.
 */
const chunkBytes = 63 * 1024;
const maxChunks = 14;

export type PackedProperties = Record<string, Uint8Array | number>;

export function packJson(value: unknown, prefix = 'data'): PackedProperties {
  const zipped = gzipSync(Buffer.from(JSON.stringify(value), 'utf8'));
  const parts = Math.max(1, Math.ceil(zipped.length / chunkBytes));
  if (parts > maxChunks)
    throw new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `value is too large to store (${zipped.length} bytes compressed)`);
  const out: PackedProperties = { [`${prefix}Parts`]: parts };
  for (let i = 0; i < parts; i += 1) out[`${prefix}${i}`] = new Uint8Array(zipped.subarray(i * chunkBytes, (i + 1) * chunkBytes));
  return out;
}

export function unpackJson<T>(entity: Record<string, unknown>, prefix = 'data'): T {
  const parts = entity[`${prefix}Parts`];
  if (typeof parts !== 'number' || parts < 1) throw new Error(`entity has no packed '${prefix}' value`);
  const buffers: Buffer[] = [];
  for (let i = 0; i < parts; i += 1) {
    const part = entity[`${prefix}${i}`];
    if (!(part instanceof Uint8Array)) throw new Error(`packed '${prefix}' value is missing part ${i}`);
    buffers.push(Buffer.from(part.buffer, part.byteOffset, part.byteLength));
  }
  return JSON.parse(gunzipSync(Buffer.concat(buffers)).toString('utf8')) as T;
}

import { deflateRawSync } from 'node:zlib';
import { ArgusError } from '../errors/catalog';

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3: local headers, central directory, end record), enough
 * for a Teams app package: a few small files, deflated, no ZIP64, no encryption.
 */

export interface ZipEntry {
  /** Path inside the archive, with forward slashes, e.g. `manifest.json`. */
  name: string;
  data: Uint8Array | string;
}

export interface ZipOptions {
  /**
   * Modification time stored for every entry. Defaults to the DOS epoch so the same inputs give
   * the same bytes (a package can be compared or hashed across builds).
   */
  modified?: Date;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, reflected, as ZIP and PNG use it). */
export function crc32(data: Uint8Array, seed = 0): number {
  let crc = (seed ^ 0xffffffff) >>> 0;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const DOS_EPOCH = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));
const UTF8_NAMES = 0x0800; // general purpose flag bit 11: names are UTF-8
const VERSION = 20; // 2.0: deflate
/**
 * "Made by" UNIX: Info-ZIP's unzip converts names from made-by-MS-DOS archives as if they were in
 * an OEM code page (mangling UTF-8 even with flag bit 11); UNIX names are taken as they are.
 */
const MADE_BY_UNIX = (3 << 8) | VERSION;
const REGULAR_FILE_644 = (0o100644 << 16) >>> 0; // st_mode in the high 16 bits of the external attributes
const MAX_U16 = 0xffff;
const MAX_U32 = 0xffffffff;

function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function invalid(message: string): ArgusError {
  return new ArgusError('ARGUS_BAD_REQUEST', `zip: ${message}`);
}

/** Relative, forward-slash names only: an archive must not write outside where it is extracted. */
function checkName(name: string, seen: Set<string>): Buffer {
  if (name === '' || name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw invalid(`entry name '${name}' must be a relative path`);
  if (name.includes('\\') || name.includes('\0')) throw invalid(`entry name '${name}' must use '/' and no NUL`);
  if (name.split('/').some((part) => part === '..' || part === '.' || part === '')) throw invalid(`entry name '${name}' has an empty, '.' or '..' segment`);
  if (seen.has(name)) throw invalid(`duplicate entry '${name}'`);
  seen.add(name);
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > MAX_U16) throw invalid(`entry name '${name.slice(0, 40)}…' is too long`);
  return bytes;
}

/** Builds the whole archive in memory. */
/**
 * The fields local and central headers share, in the same order, from `at`: flags (UTF-8 names),
 * method, DOS time and date, CRC-32, compressed and uncompressed size, name length.
 */
function writeEntryFields(
  header: Buffer,
  at: number,
  f: { method: number; stamp: { time: number; date: number }; crc: number; compressed: number; size: number; nameLength: number },
): void {
  header.writeUInt16LE(UTF8_NAMES, at);
  header.writeUInt16LE(f.method, at + 2);
  header.writeUInt16LE(f.stamp.time, at + 4);
  header.writeUInt16LE(f.stamp.date, at + 6);
  header.writeUInt32LE(f.crc, at + 8);
  header.writeUInt32LE(f.compressed, at + 12);
  header.writeUInt32LE(f.size, at + 16);
  header.writeUInt16LE(f.nameLength, at + 20);
}

export function writeZip(entries: readonly ZipEntry[], options: ZipOptions = {}): Buffer {
  if (entries.length > MAX_U16) throw invalid(`${entries.length} entries need ZIP64, which is not supported`);
  const stamp = dosDateTime(options.modified ?? DOS_EPOCH);
  const seen = new Set<string>();
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;

  for (const entry of entries) {
    const name = checkName(entry.name, seen);
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : Buffer.from(entry.data);
    const deflated = deflateRawSync(data, { level: 9 });
    // Stored (0) when deflate does not help, e.g. already-compressed PNG data.
    const method = deflated.length < data.length ? 8 : 0;
    const body = method === 8 ? deflated : data;
    if (data.length > MAX_U32 || body.length > MAX_U32 || offset > MAX_U32) throw invalid(`'${entry.name}' needs ZIP64, which is not supported`);
    const crc = crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    writeEntryFields(local, 6, { method, stamp, crc, compressed: body.length, size: data.length, nameLength: name.length });
    local.writeUInt16LE(0, 28); // extra field length
    locals.push(local, name, body);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    central.writeUInt16LE(VERSION, 6); // version needed to extract
    writeEntryFields(central, 8, { method, stamp, crc, compressed: body.length, size: data.length, nameLength: name.length });
    // extra length, comment length, disk number and internal attributes stay 0
    central.writeUInt32LE(REGULAR_FILE_644, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);

    offset += local.length + name.length + body.length;
  }

  const directory = Buffer.concat(centrals);
  if (offset > MAX_U32 || directory.length > MAX_U32) throw invalid('the archive needs ZIP64, which is not supported');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4); // this disk
  end.writeUInt16LE(0, 6); // disk with the directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(0, 20); // comment length
  return Buffer.concat([...locals, directory, end]);
}

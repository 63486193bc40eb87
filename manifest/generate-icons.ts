/**
 * Draws the Teams app icons (an eye: Argus the watchman) and writes them as PNG next to this file:
 *   color.png   192×192, full colour, opaque
 *   outline.png  32×32, white on transparent (Teams tints it)
 * Run: node --import tsx manifest/generate-icons.ts
 * The PNGs are checked in; a test regenerates them and compares bytes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { crc32 } from '../src/cli/zip-writer';

type Rgba = readonly [number, number, number, number];

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG, 8-bit RGBA, no interlace, filter 0 on every row. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * (stride + 1)] = 0;
    raw.set(rgba.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, filter 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Rasterises `shade(u, v)` (u, v in -1…1, v up) with 4×4 supersampling for smooth edges. */
function raster(size: number, shade: (u: number, v: number) => Rgba): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const acc = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy += 1) {
        for (let sx = 0; sx < n; sx += 1) {
          const u = ((x + (sx + 0.5) / n) / size) * 2 - 1;
          const v = 1 - ((y + (sy + 0.5) / n) / size) * 2;
          const [r, g, b, a] = shade(u, v);
          acc[0] = (acc[0] ?? 0) + r * a;
          acc[1] = (acc[1] ?? 0) + g * a;
          acc[2] = (acc[2] ?? 0) + b * a;
          acc[3] = (acc[3] ?? 0) + a;
        }
      }
      const alpha = (acc[3] ?? 0) / (n * n);
      const i = (y * size + x) * 4;
      for (let c = 0; c < 3; c += 1) out[i + c] = alpha === 0 ? 0 : Math.round(((acc[c] ?? 0) / (n * n)) / alpha);
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

/** An almond (the eye's outline): the intersection of two circles, half-width a, half-height b. */
function inLens(u: number, v: number, a: number, b: number): boolean {
  const r = (a * a / b + b) / 2;
  const c = r - b;
  return u * u + (v - c) ** 2 <= r * r && u * u + (v + c) ** 2 <= r * r;
}

const inCircle = (u: number, v: number, cu: number, cv: number, r: number): boolean => (u - cu) ** 2 + (v - cv) ** 2 <= r * r;

const NAVY: Rgba = [31, 58, 95, 1];
const WHITE: Rgba = [255, 255, 255, 1];
const IRIS: Rgba = [63, 169, 245, 1];
const CLEAR: Rgba = [0, 0, 0, 0];

export function colorIcon(): Buffer {
  const pixels = raster(192, (u, v) => {
    if (inCircle(u, v, 0.08, 0.09, 0.05)) return WHITE; // catch-light
    if (inCircle(u, v, 0, 0, 0.12)) return NAVY; // pupil
    if (inCircle(u, v, 0, 0, 0.27)) return IRIS;
    if (inLens(u, v, 0.64, 0.36)) return WHITE;
    return NAVY;
  });
  return encodePng(192, 192, pixels);
}

export function outlineIcon(): Buffer {
  const pixels = raster(32, (u, v) => {
    if (inCircle(u, v, 0, 0, 0.26)) return WHITE;
    if (inLens(u, v, 0.92, 0.56) && !inLens(u, v, 0.74, 0.4)) return WHITE;
    return CLEAR;
  });
  return encodePng(32, 32, pixels);
}

export function iconFiles(): Record<'color.png' | 'outline.png', Buffer> {
  return { 'color.png': colorIcon(), 'outline.png': outlineIcon() };
}

if (require.main === module) {
  for (const [name, data] of Object.entries(iconFiles())) {
    writeFileSync(path.join(__dirname, name), data);
    process.stdout.write(`wrote manifest/${name} (${data.length} bytes)\n`);
  }
}

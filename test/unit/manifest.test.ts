import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../src/cli/zip-writer';
import { iconFiles } from '../../manifest/generate-icons';

const dir = path.resolve(__dirname, '../../manifest');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Png {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  pixels: Buffer;
}

/** A small PNG reader (8-bit RGBA, all five filter types), checking every chunk's CRC. */
function decodePng(data: Buffer): Png {
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  let offset = 8;
  const idat: Buffer[] = [];
  let header: Buffer | undefined;
  while (offset < data.length) {
    const length = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    const body = data.subarray(offset + 8, offset + 8 + length);
    assert.equal(data.readUInt32BE(offset + 8 + length), crc32(data.subarray(offset + 4, offset + 8 + length)), `${type} CRC`);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') idat.push(body);
    offset += 12 + length;
  }
  assert.ok(header, 'IHDR first');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [bitDepth = 0, colorType = 0] = header.subarray(8, 10);
  assert.equal(bitDepth, 8);
  assert.equal(colorType, 6);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x += 1) {
      const value = raw[y * (stride + 1) + 1 + x] ?? 0;
      const a = x >= 4 ? (pixels[y * stride + x - 4] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] ?? 0) : 0;
      const c = x >= 4 && y > 0 ? (pixels[(y - 1) * stride + x - 4] ?? 0) : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter ?? 0];
      assert.notEqual(predictor, undefined, `filter ${filter}`);
      pixels[y * stride + x] = (value + (predictor ?? 0)) & 0xff;
    }
  }
  return { width, height, bitDepth, colorType, pixels };
}

function manifest(): Record<string, any> {
  return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
}

test('manifest.json is a v1.19 Teams manifest with the required fields within their limits', () => {
  const m = manifest();
  assert.equal(m.$schema, 'https://developer.microsoft.com/json-schemas/teams/v1.19/MicrosoftTeams.schema.json');
  assert.equal(m.manifestVersion, '1.19');
  assert.match(m.version, /^\d+\.\d+\.\d+$/);
  assert.match(m.id, GUID);
  for (const key of ['websiteUrl', 'privacyUrl', 'termsOfUseUrl']) assert.match(m.developer[key], /^https:\/\//, key);
  assert.ok(m.developer.name.length <= 32);
  assert.ok(m.name.short.length <= 30 && m.name.full.length <= 100);
  assert.ok(m.description.short.length <= 80 && m.description.full.length <= 4000);
  assert.deepEqual(m.icons, { color: 'color.png', outline: 'outline.png' });
  assert.match(m.accentColor, /^#[0-9a-fA-F]{6}$/);
  assert.ok(Array.isArray(m.validDomains));
});

test('the bot is in team, group chat and personal scope, with at most 10 commands per list', () => {
  const bots = manifest().bots;
  assert.equal(bots.length, 1);
  const [bot] = bots;
  assert.match(bot.botId, GUID);
  assert.deepEqual(new Set(bot.scopes), new Set(['team', 'groupChat', 'personal']));
  const scopes = bot.commandLists.flatMap((l: { scopes: string[] }) => l.scopes);
  assert.deepEqual(new Set(scopes), new Set(bot.scopes));
  assert.equal(scopes.length, new Set(scopes).size, 'each scope in one list');
  for (const list of bot.commandLists) {
    assert.ok(list.commands.length <= 10, 'Teams shows at most 10 commands per list');
    assert.deepEqual(
      list.commands.map((c: { title: string }) => c.title),
      ['help', 'whoami', 'incident', 'incidents', 'subscribe', 'unsubscribe', 'report'],
    );
    for (const c of list.commands) {
      assert.ok(c.title.length <= 32 && c.description.length > 0 && c.description.length <= 128, c.title);
    }
  }
});

test('the Report to SOC message action is an action command on messages, answered by the bot with a task module', () => {
  const m = manifest();
  assert.equal(m.composeExtensions.length, 1);
  const [extension] = m.composeExtensions;
  assert.equal(extension.botId, m.bots[0].botId);
  const command = extension.commands.find((c: { id: string }) => c.id === 'reportToSoc');
  assert.deepEqual({ type: command.type, context: command.context, fetchTask: command.fetchTask }, { type: 'action', context: ['message'], fetchTask: true });
  assert.ok(command.title.length <= 32 && command.description.length <= 128);
});

test('color.png is a 192×192 opaque RGBA PNG', () => {
  const png = decodePng(readFileSync(path.join(dir, 'color.png')));
  assert.deepEqual([png.width, png.height], [192, 192]);
  for (let i = 3; i < png.pixels.length; i += 4) assert.equal(png.pixels[i], 255, 'opaque');
  const colours = new Set<number>();
  for (let i = 0; i < png.pixels.length; i += 4) colours.add(png.pixels.readUInt32BE(i));
  assert.ok(colours.size > 3, 'full colour, not a flat square');
});

test('outline.png is 32×32, white on transparent', () => {
  const png = decodePng(readFileSync(path.join(dir, 'outline.png')));
  assert.deepEqual([png.width, png.height], [32, 32]);
  let opaque = 0;
  let transparent = 0;
  for (let i = 0; i < png.pixels.length; i += 4) {
    const alpha = png.pixels[i + 3];
    if (alpha === 0) transparent += 1;
    else {
      assert.deepEqual([...png.pixels.subarray(i, i + 3)], [255, 255, 255], `pixel ${i / 4} is white`);
      if (alpha === 255) opaque += 1;
    }
  }
  assert.ok(opaque > 50 && transparent > 300, `${opaque} opaque, ${transparent} transparent`);
});

test('the checked-in icons are what manifest/generate-icons.ts draws', () => {
  for (const [name, data] of Object.entries(iconFiles())) {
    assert.ok(readFileSync(path.join(dir, name)).equals(data), `${name}: run node --import tsx manifest/generate-icons.ts`);
  }
});

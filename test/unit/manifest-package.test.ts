import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { crc32 as zlibCrc32, inflateRawSync } from 'node:zlib';
import type { CliIO } from '../../src/cli/command';
import { createPackageCommand, DEV_APP_ID, fillManifest, pngSize } from '../../src/cli/package-command';
import { crc32, writeZip } from '../../src/cli/zip-writer';
import { isArgusError } from '../../src/errors/catalog';

const work = mkdtempSync(path.join(tmpdir(), 'argus-package-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface ReadEntry {
  name: string;
  method: number;
  data: Buffer;
}

/** Reads an archive the way unzip does: end record → central directory → local headers. */
function readZip(zip: Buffer): ReadEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0 && eocd === zip.length - 22, 'end of central directory at the end');
  const count = zip.readUInt16LE(eocd + 10);
  const dirSize = zip.readUInt32LE(eocd + 12);
  let p = zip.readUInt32LE(eocd + 16);
  assert.equal(p + dirSize, eocd, 'directory ends where the end record starts');
  const out: ReadEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    assert.equal(zip.readUInt32LE(p), 0x02014b50, 'central header signature');
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const skip = zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    assert.equal(zip.readUInt32LE(local), 0x04034b50, 'local header signature');
    assert.equal(zip.readUInt32LE(local + 14), crc, 'local and central CRC agree');
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + compressed);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    assert.equal(data.length, size, `${name} size`);
    assert.equal(crc32(data), crc, `${name} CRC`);
    out.push({ name, method, data });
    p += 46 + nameLength + skip;
  }
  return out;
}

const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;

test('crc32 matches the reference values and node:zlib', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  const data = randomBytes(4096);
  assert.equal(crc32(data), zlibCrc32(data));
});

const entries = [
  { name: 'manifest.json', data: JSON.stringify({ hello: 'world', list: Array(200).fill('repeat') }) },
  { name: 'random.bin', data: randomBytes(3000) },
  { name: 'empty.txt', data: '' },
  { name: 'dir/naïve-ünïcode.txt', data: 'ünïcode ✓' },
];

test('writeZip round-trips through a reader, deflating what compresses and storing what does not', () => {
  const read = readZip(writeZip(entries));
  assert.deepEqual(read.map((e) => e.name), entries.map((e) => e.name));
  for (const [i, entry] of entries.entries()) assert.ok(read[i]?.data.equals(Buffer.from(entry.data)), entry.name);
  assert.equal(read[0]?.method, 8);
  assert.equal(read[1]?.method, 0);
});

test('the same inputs give the same bytes', () => {
  assert.ok(writeZip(entries).equals(writeZip(entries)));
  const later = writeZip(entries, { modified: new Date(Date.UTC(2026, 10, 21, 9, 5, 2)) });
  assert.ok(!later.equals(writeZip(entries)));
  assert.equal(later.readUInt16LE(12), ((2026 - 1980) << 9) | (11 << 5) | 21, 'DOS date');
  assert.equal(later.readUInt16LE(10), (9 << 11) | (5 << 5) | 1, 'DOS time');
});

test('unsafe or duplicate entry names are refused', () => {
  for (const name of ['', '/etc/passwd', '../up.txt', 'a/../b', 'a\\b', 'C:/x', 'a//b']) {
    assert.throws(() => writeZip([{ name, data: 'x' }]), (err) => isArgusError(err, 'ARGUS_BAD_REQUEST'), name);
  }
  assert.throws(() => writeZip([{ name: 'a', data: 'x' }, { name: 'a', data: 'y' }]), /duplicate/);
});

test('unzip and Python zipfile accept the archive', { skip: !has('unzip', ['-v']) && !has('python3', ['--version']) }, () => {
  const file = path.join(work, 'check.zip');
  writeFileSync(file, writeZip(entries));
  if (has('unzip', ['-v'])) {
    const result = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /No errors detected/);
    const content = spawnSync('unzip', ['-p', file, 'dir/naïve-ünïcode.txt'], { encoding: 'utf8' });
    assert.equal(content.stdout, 'ünïcode ✓');
  }
  if (has('python3', ['--version'])) {
    const result = spawnSync('python3', ['-m', 'zipfile', '-t', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  }
});

function io(env: Record<string, string | undefined>): CliIO & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env,
    cwd: work,
    out: () => Buffer.concat(chunks.out).toString('utf8'),
    err: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}

function packaged(zipPath: string): { names: string[]; manifest: Record<string, any>; files: ReadEntry[] } {
  const files = readZip(readFileSync(zipPath));
  const manifest = JSON.parse(files.find((f) => f.name === 'manifest.json')?.data.toString('utf8') ?? '{}');
  return { names: files.map((f) => f.name), manifest, files };
}

test('argus package writes manifest.json and both icons at the zip root, ids from MICROSOFT_APP_ID', async () => {
  const appId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
  const config = path.join(work, 'teams-test.config.yaml');
  writeFileSync(config, 'publicUrl: https://argus.contoso.com/\n');
  const cli = io({ MICROSOFT_APP_ID: appId, ARGUS_CONFIG: config });
  assert.equal(await createPackageCommand().run(['--out', 'out/teams.zip'], cli), 0);
  const { names, manifest, files } = packaged(path.join(work, 'out/teams.zip'));
  assert.deepEqual(names, ['manifest.json', 'color.png', 'outline.png']);
  assert.equal(manifest.id, appId);
  assert.equal(manifest.bots[0].botId, appId);
  assert.deepEqual(manifest.validDomains, ['argus.contoso.com']);
  const version = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')).version;
  assert.equal(manifest.version, version);
  assert.deepEqual(pngSize(files[1]?.data ?? Buffer.alloc(0)), { width: 192, height: 192 });
  assert.deepEqual(pngSize(files[2]?.data ?? Buffer.alloc(0)), { width: 32, height: 32 });
  assert.match(cli.out(), /from MICROSOFT_APP_ID/);
  assert.equal(cli.err(), '');
});

test('without MICROSOFT_APP_ID the development id is used, and the command says so', async () => {
  const cli = io({});
  assert.equal(await createPackageCommand().run([], cli), 0);
  const { manifest } = packaged(path.join(work, 'build/argus-teams.zip'));
  assert.equal(manifest.id, DEV_APP_ID);
  assert.equal(manifest.bots[0].botId, DEV_APP_ID);
  assert.deepEqual(manifest.validDomains, []);
  assert.match(cli.err(), new RegExp(`MICROSOFT_APP_ID is not set: using the development app id ${DEV_APP_ID}`));
  assert.match(cli.err(), /validDomains is empty/);
});

test('a malformed app id, bad arguments or a wrong-sized icon are refused with a clear error', async () => {
  await assert.rejects(createPackageCommand().run([], io({ MICROSOFT_APP_ID: 'not-a-guid' })), (err) =>
    isArgusError(err, 'ARGUS_CONFIG_INVALID') && err.details[0]?.path === 'MICROSOFT_APP_ID');
  await assert.rejects(createPackageCommand().run(['--bogus'], io({})), (err) => isArgusError(err, 'ARGUS_BAD_REQUEST'));
  const fakeDir = mkdtempSync(path.join(work, 'manifest-'));
  const real = path.resolve(__dirname, '../../manifest');
  writeFileSync(path.join(fakeDir, 'manifest.json'), readFileSync(path.join(real, 'manifest.json')));
  writeFileSync(path.join(fakeDir, 'color.png'), readFileSync(path.join(real, 'outline.png')));
  writeFileSync(path.join(fakeDir, 'outline.png'), readFileSync(path.join(real, 'outline.png')));
  await assert.rejects(createPackageCommand({ manifestDir: fakeDir }).run(['--out', 'x.zip'], io({})), /color\.png must be a 192×192 PNG \(found 32×32\)/);
});

test('fillManifest keeps everything else and needs a bot', () => {
  const filled = fillManifest({ name: { short: 'A' }, bots: [{ botId: 'x', scopes: ['team'] }] }, { appId: 'id', version: '1.2.3' });
  assert.deepEqual(filled, { name: { short: 'A' }, id: 'id', version: '1.2.3', bots: [{ botId: 'id', scopes: ['team'] }], validDomains: [] });
  assert.throws(() => fillManifest({}, { appId: 'id', version: '1' }), (err) => isArgusError(err, 'ARGUS_CONFIG_INVALID'));
});

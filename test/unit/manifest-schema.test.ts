import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type { CliIO } from '../../src/cli/command';
import { createPackageCommand, DEV_APP_ID, ICON_SIZES, pngSize } from '../../src/cli/package-command';

/**
 * The Teams app package `npm run package` builds, checked against the official Teams manifest
 * JSON schema for its manifestVersion, as shipped in Microsoft's @microsoft/app-manifest package
 * and validated the way the Microsoft 365 Agents Toolkit does (ajv draft-04 + formats).
 */
const work = mkdtempSync(path.join(tmpdir(), 'argus-manifest-schema-'));
after(() => rmSync(work, { recursive: true, force: true }));

function officialSchema(version: string): Record<string, unknown> {
  const root = path.dirname(require.resolve('@microsoft/app-manifest/package.json'));
  const raw = readFileSync(path.join(root, 'build/json-schemas/teams', `v${version}`, 'MicrosoftTeams.schema.json'), 'utf8');
  // The published schema has \a and \v escapes in regex patterns that JavaScript rejects; the
  // Toolkit replaces them the same way before compiling.
  return JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as Record<string, unknown>;
}

function validator(version: string) {
  const ajv = new Ajv04({ allErrors: true, strictTypes: false });
  addFormats(ajv, ['uri', 'email', 'regex']);
  return ajv.compile(officialSchema(version));
}

/** The entries of a zip archive (central directory → local headers; stored or deflated). */
function unzip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    const method = zip.readUInt16LE(p + 10);
    const size = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(start, start + size);
    out.set(name, method === 8 ? inflateRawSync(body) : Buffer.from(body));
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

function io(env: Record<string, string | undefined>): CliIO {
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env, cwd: work };
}

async function build(env: Record<string, string | undefined>, out: string): Promise<Map<string, Buffer>> {
  assert.equal(await createPackageCommand().run(['--out', out], io(env)), 0);
  return unzip(readFileSync(path.join(work, out)));
}

function manifestOf(files: Map<string, Buffer>): Record<string, unknown> {
  return JSON.parse(files.get('manifest.json')?.toString('utf8') ?? '{}') as Record<string, unknown>;
}

test('the packaged manifest (app id from MICROSOFT_APP_ID, validDomains from publicUrl) is valid against the official schema', async () => {
  const config = path.join(work, 'argus.config.yaml');
  writeFileSync(config, 'publicUrl: https://argus.contoso.com\n');
  const files = await build({ MICROSOFT_APP_ID: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', ARGUS_CONFIG: config }, 'real.zip');
  const manifest = manifestOf(files);
  const validate = validator(String(manifest.manifestVersion));
  assert.equal(validate(manifest), true, JSON.stringify(validate.errors, null, 2));
  assert.equal(manifest.$schema, `https://developer.microsoft.com/json-schemas/teams/v${String(manifest.manifestVersion)}/MicrosoftTeams.schema.json`);
  assert.deepEqual(manifest.validDomains, ['argus.contoso.com']);
  // The Report to SOC message action is answered by the same bot.
  assert.deepEqual((manifest.composeExtensions as Array<{ botId: string }>).map((c) => c.botId), ['3f2504e0-4f89-41d3-9a0c-0305e82c3301']);
});

test('the development package (no MICROSOFT_APP_ID) is valid too', async () => {
  const manifest = manifestOf(await build({}, 'dev.zip'));
  assert.equal(manifest.id, DEV_APP_ID);
  const validate = validator(String(manifest.manifestVersion));
  assert.equal(validate(manifest), true, JSON.stringify(validate.errors, null, 2));
});

test('the schema check is real: broken manifests are refused with the failing path', async () => {
  const manifest = manifestOf(await build({}, 'broken.zip'));
  const validate = validator(String(manifest.manifestVersion));
  const broken: Array<[string, Record<string, unknown>]> = [
    ['/id', { ...manifest, id: 'not-a-guid' }],
    ['/name/short', { ...manifest, name: { short: 'x'.repeat(31), full: 'Argus' } }],
    ['', { ...manifest, colour: '#fff' }],
    ['/bots/0/scopes/0', { ...manifest, bots: [{ ...(manifest.bots as Record<string, unknown>[])[0], scopes: ['everywhere'] }] }],
  ];
  for (const [where, candidate] of broken) {
    assert.equal(validate(candidate), false, where);
    assert.ok(validate.errors?.some((e) => e.instancePath === where), `${where}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the package holds exactly the manifest and the two icons, at the sizes Teams requires', async () => {
  const files = await build({}, 'icons.zip');
  assert.deepEqual([...files.keys()].sort(), ['color.png', 'manifest.json', 'outline.png']);
  const icons = manifestOf(files).icons as Record<string, string>;
  for (const [name, size] of Object.entries(ICON_SIZES)) {
    assert.ok(Object.values(icons).includes(name), `${name} is referenced by the manifest`);
    assert.deepEqual(pngSize(files.get(name) ?? Buffer.alloc(0)), { width: size, height: size }, name);
  }
});

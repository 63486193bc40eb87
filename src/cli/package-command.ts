import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load-config';
import { ArgusError } from '../errors/catalog';
import { writeLine, type CliCommand, type CliIO } from './command';
import { writeZip } from './zip-writer';

/**
 * `argus package`: the Teams app package (manifest.json + icons at the zip root) to upload in
 * Teams admin or the Developer Portal.
 */

/** Used when MICROSOFT_APP_ID is unset, so a package can be built and sideloaded against dev mode. */
export const DEV_APP_ID = 'a12889c1-12ae-4956-9f64-76c22cb5fe44';
export const DEFAULT_PACKAGE_PATH = 'build/argus-teams.zip';
/** Teams requires exactly these sizes. */
export const ICON_SIZES = { 'color.png': 192, 'outline.png': 32 } as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PackageCommandOptions {
  /** Folder holding manifest.json and the icons; defaults to the repository's manifest/. */
  manifestDir?: string;
  /** package.json whose version the manifest takes; defaults to the repository's. */
  packageJsonPath?: string;
}

export interface ManifestFill {
  appId: string;
  version: string;
  publicUrl?: string;
}

/** Width and height from the IHDR chunk, or undefined when the bytes are not a PNG. */
export function pngSize(data: Uint8Array): { width: number; height: number } | undefined {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(PNG_SIGNATURE) || buf.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** The manifest with the app id, the bot id, the version and validDomains set for this deployment. */
export function fillManifest(manifest: Record<string, unknown>, fill: ManifestFill): Record<string, unknown> {
  const bots = manifest.bots;
  const bot: unknown = Array.isArray(bots) ? bots[0] : undefined;
  if (typeof bot !== 'object' || bot === null) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'manifest.json has no bot', { details: [{ path: 'bots[0]', message: 'required' }] });
  }
  const validDomains = fill.publicUrl ? [new URL(fill.publicUrl).hostname] : [];
  return {
    ...manifest,
    id: fill.appId,
    version: fill.version,
    bots: [{ ...bot, botId: fill.appId }, ...(bots as unknown[]).slice(1)],
    // The message actions (Report to SOC) are answered by the same bot.
    ...(Array.isArray(manifest.composeExtensions)
      ? { composeExtensions: (manifest.composeExtensions as Record<string, unknown>[]).map((c) => ({ ...c, botId: fill.appId })) }
      : {}),
    validDomains,
  };
}

function parseArgs(args: readonly string[]): { out: string } {
  let out = DEFAULT_PACKAGE_PATH;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--out' && args[i + 1] && !args[i + 1]?.startsWith('--')) out = args[++i] ?? out;
    else if (arg.startsWith('--out=') && arg.length > 6) out = arg.slice(6);
    else throw new ArgusError('ARGUS_BAD_REQUEST', `unexpected argument '${arg}'; usage: argus package [--out FILE]`);
  }
  return { out };
}

function readJson(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${file} is not readable JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${file} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function readIcon(dir: string, name: keyof typeof ICON_SIZES): Buffer {
  const file = path.join(dir, name);
  const data = readFileSync(file);
  const size = pngSize(data);
  const want = ICON_SIZES[name];
  if (!size || size.width !== want || size.height !== want) {
    const found = size ? `${size.width}×${size.height}` : 'not a PNG';
    throw new ArgusError('ARGUS_CONFIG_INVALID', `${file} must be a ${want}×${want} PNG (found ${found})`);
  }
  return data;
}

function appIdFrom(io: CliIO): { appId: string; fromEnv: boolean } {
  const appId = io.env.MICROSOFT_APP_ID?.trim();
  if (!appId) return { appId: DEV_APP_ID, fromEnv: false };
  if (!GUID.test(appId)) {
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'MICROSOFT_APP_ID must be the bot app id (a GUID)', {
      details: [{ path: 'MICROSOFT_APP_ID', message: 'must be a GUID' }],
    });
  }
  return { appId: appId.toLowerCase(), fromEnv: true };
}

export function createPackageCommand(options: PackageCommandOptions = {}): CliCommand {
  const manifestDir = options.manifestDir ?? path.resolve(__dirname, '../../manifest');
  const packageJsonPath = options.packageJsonPath ?? path.resolve(__dirname, '../../package.json');
  return {
    name: 'package',
    summary: 'Build the Teams app package (manifest + icons) as a zip',
    usage: 'argus package [--out FILE]',
    async run(args, io) {
      const { out } = parseArgs(args);
      const { appId, fromEnv } = appIdFrom(io);
      // Packaging builds an artifact: production's runtime refusals (embedded storage…) do not apply.
      const config = loadConfig({ ...io.env, NODE_ENV: undefined }, { cwd: io.cwd });
      const version = readJson(packageJsonPath).version;
      if (typeof version !== 'string') throw new ArgusError('ARGUS_CONFIG_INVALID', `${packageJsonPath} has no version`);

      const manifest = fillManifest(readJson(path.join(manifestDir, 'manifest.json')), {
        appId,
        version,
        publicUrl: config.file.publicUrl,
      });
      const zip = writeZip([
        { name: 'manifest.json', data: `${JSON.stringify(manifest, null, 2)}\n` },
        { name: 'color.png', data: readIcon(manifestDir, 'color.png') },
        { name: 'outline.png', data: readIcon(manifestDir, 'outline.png') },
      ]);
      const target = path.resolve(io.cwd, out);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, zip);

      if (!fromEnv) {
        writeLine(io.stderr, `MICROSOFT_APP_ID is not set: using the development app id ${DEV_APP_ID}.`);
        writeLine(io.stderr, 'Set MICROSOFT_APP_ID to the bot registration\'s app id to build a package for a real tenant.');
      }
      if (!config.file.publicUrl) writeLine(io.stderr, 'publicUrl is not set in the config: validDomains is empty.');
      writeLine(io.stdout, `app id ${appId} (${fromEnv ? 'from MICROSOFT_APP_ID' : 'development default'}), version ${version}`);
      writeLine(io.stdout, `wrote ${target} (manifest.json, color.png, outline.png; ${zip.length} bytes)`);
      return 0;
    },
  };
}

export const packageCommand = createPackageCommand();

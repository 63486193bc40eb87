import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ArgusError, type ErrorDetail } from '../errors/catalog';
import { envSchema, type EnvConfig } from './env-schema';
import { fileConfigSchema, type FileConfig } from './file-schema';

export type StorageConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'accountUrl'; accountUrl: string };

export interface ArgusConfig {
  env: EnvConfig;
  file: FileConfig;
  /** Absolute path of the YAML file read, if any. */
  configPath?: string;
  /** No bot app id: Bot Framework auth is off, so Argus binds to loopback only. */
  devMode: boolean;
  production: boolean;
  host: string;
  port: number;
  storage: StorageConfig;
  secrets: { kind: 'keyVault'; url: string } | { kind: 'env' };
  bot: { appId?: string; appType?: string; tenantId?: string };
}

export interface LoadConfigOptions {
  cwd?: string;
  /** YAML text to use instead of reading ARGUS_CONFIG (tests). */
  fileText?: string;
}

export function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

/** A parser of untrusted input against `schema`: the value, or the details of what is wrong. */
export function parseWith<S extends z.ZodType>(schema: S): (json: unknown) => { ok: true; value: z.output<S> } | { ok: false; details: ErrorDetail[] } {
  return (json) => {
    const parsed = schema.safeParse(json);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, details: zodDetails(parsed.error) };
  };
}

function invalid(source: string, details: ErrorDetail[]): ArgusError {
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  return new ArgusError('ARGUS_CONFIG_INVALID', `${source} is invalid: ${summary}`, { details });
}

/** Parses the YAML config text; errors name the offending key. */
export function parseFileConfig(text: string, source = 'argus.config.yaml'): FileConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) throw invalid(source, doc.errors.map((e) => ({ message: e.message })));
  const raw: unknown = doc.toJS() ?? {};
  const parsed = fileConfigSchema.safeParse(raw);
  if (!parsed.success) throw invalid(source, zodDetails(parsed.error));
  return parsed.data;
}

/**
 * The only reader of the environment: a pure function of `env` (and the config file it names).
 */
export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): ArgusConfig {
  const envParsed = envSchema.safeParse(env);
  if (!envParsed.success) throw invalid('the environment', zodDetails(envParsed.error));
  const e = envParsed.data;
  const cwd = options.cwd ?? process.cwd();

  let configPath: string | undefined;
  let text = options.fileText;
  if (text === undefined) {
    const candidate = resolve(cwd, e.ARGUS_CONFIG ?? './argus.config.yaml');
    if (existsSync(candidate)) {
      configPath = candidate;
      text = readFileSync(candidate, 'utf8');
    } else if (e.ARGUS_CONFIG) {
      throw invalid('the environment', [{ path: 'ARGUS_CONFIG', message: `file not found: ${candidate}` }]);
    }
  }
  const file = parseFileConfig(text ?? '', configPath ?? 'argus.config.yaml');

  const devMode = !e.MICROSOFT_APP_ID;
  const production = e.NODE_ENV === 'production';
  const storage: StorageConfig = e.ARGUS_STORAGE_CONNECTION_STRING
    ? { kind: 'connectionString', connectionString: e.ARGUS_STORAGE_CONNECTION_STRING }
    : e.ARGUS_STORAGE_ACCOUNT_URL
      ? { kind: 'accountUrl', accountUrl: e.ARGUS_STORAGE_ACCOUNT_URL }
      : { kind: 'embedded', dataDir: resolve(cwd, e.ARGUS_DATA_DIR) };

  if (production) {
    const problems: ErrorDetail[] = [];
    if (devMode) problems.push({ path: 'MICROSOFT_APP_ID', message: 'production refuses dev mode: set the bot app id' });
    if (storage.kind === 'embedded')
      problems.push({ path: 'ARGUS_STORAGE_CONNECTION_STRING', message: 'production refuses embedded storage: set ARGUS_STORAGE_CONNECTION_STRING or ARGUS_STORAGE_ACCOUNT_URL' });
    if (problems.length) throw invalid('the environment', problems);
  }

  // Dev mode has no Bot Framework auth, so it must never be reachable from the network.
  const host = devMode ? (e.HOST && isLoopback(e.HOST) ? e.HOST : '127.0.0.1') : (e.HOST ?? '0.0.0.0');

  return {
    env: e,
    file,
    configPath,
    devMode,
    production,
    host,
    port: e.PORT,
    storage,
    secrets: e.ARGUS_KEY_VAULT_URL ? { kind: 'keyVault', url: e.ARGUS_KEY_VAULT_URL } : { kind: 'env' },
    bot: { appId: e.MICROSOFT_APP_ID, appType: e.MICROSOFT_APP_TYPE, tenantId: e.MICROSOFT_APP_TENANT_ID },
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

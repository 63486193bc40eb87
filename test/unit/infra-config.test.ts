import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { envSchema } from '../../src/config/env-schema';
import { loadConfig, parseFileConfig } from '../../src/config/load-config';
import { secretNames } from '../../src/config/secret-provider';

/**
 * The infrastructure (infra/*.bicep) and the runbook (docs/deploy.md) must speak the code's
 * configuration names: environment variables, secret names, config keys, routes.
 */
const root = path.resolve(__dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const bicepFiles = ['infra/main.bicep', ...readdirSync(path.join(root, 'infra/modules')).filter((f) => f.endsWith('.bicep')).map((f) => `infra/modules/${f}`)];
const runbook = read('docs/deploy.md');
const knownSecrets = new Set<string>(Object.values(secretNames));
// Settings App Service, the Azure SDK or Application Insights read, not Argus.
const platformSettings = new Set(['AZURE_CLIENT_ID', 'APPLICATIONINSIGHTS_CONNECTION_STRING', 'ApplicationInsightsAgent_EXTENSION_VERSION', 'SCM_DO_BUILD_DURING_DEPLOYMENT']);

function appSettings(): Map<string, string> {
  const settings = new Map<string, string>();
  for (const m of read('infra/modules/app.bicep').matchAll(/\{ name: '([^']+)', value: (.+?) \}/g)) settings.set(m[1]!, m[2]!.trim());
  return settings;
}

function productionConfigYaml(): string {
  const block = [...runbook.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.startsWith('# argus.config.yaml (production)'));
  assert.ok(block, 'docs/deploy.md has the production config block');
  return block;
}

test('every App Service setting is an environment variable Argus reads, or one the platform reads', () => {
  const settings = appSettings();
  assert.ok(settings.size >= 10, `found ${settings.size} settings`);
  const argusVars = new Set(Object.keys(envSchema.shape));
  for (const name of settings.keys()) assert.ok(argusVars.has(name) || platformSettings.has(name), `${name} is read by nobody`);
  for (const needed of ['NODE_ENV', 'ARGUS_CONFIG', 'ARGUS_STORAGE_ACCOUNT_URL', 'ARGUS_KEY_VAULT_URL', 'MICROSOFT_APP_ID', 'MICROSOFT_APP_TYPE', 'MICROSOFT_APP_TENANT_ID'])
    assert.ok(settings.has(needed), `${needed} is set`);
});

test('those settings and the runbook\'s config file make a valid production configuration', () => {
  const settings = appSettings();
  // Bicep expressions stand for deployment outputs; give them plausible values.
  const sample: Record<string, string> = {
    storageTableEndpoint: 'https://stargusabc123.table.core.windows.net/',
    keyVaultUri: 'https://kv-argus-abc123.vault.azure.net/',
    identityClientId: '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d',
    'tenant().tenantId': '72f988bf-86f1-41af-91ab-2d7cd011db47',
    logLevel: 'info',
    appInsightsConnectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
  };
  const env: Record<string, string> = {};
  for (const [name, value] of settings) env[name] = value.startsWith("'") ? value.slice(1, -1) : (sample[value] ?? assert.fail(`no sample for ${value}`));
  const config = loadConfig(env, { fileText: productionConfigYaml() });
  assert.equal(config.production, true);
  assert.equal(config.devMode, false);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.storage.kind, 'accountUrl');
  assert.equal(config.secrets.kind, 'keyVault');
  assert.equal(config.bot.appType, 'UserAssignedMSI');
  assert.ok(config.file.webhookAuth.entra, 'the Logic App hop is configured');
  assert.ok(config.file.sentinel, 'write-back to Sentinel is configured');
});

test('every secret the infrastructure or the runbook names is a secret Argus reads', () => {
  const named = new Set<string>();
  for (const m of runbook.matchAll(/--name ([a-z0-9-]+)/g)) named.add(m[1]!);
  for (const file of bicepFiles) for (const m of read(file).matchAll(/secrets\/([a-z0-9-]+)/g)) named.add(m[1]!);
  for (const m of read('infra/modules/keyvault.bicep').matchAll(/^\/\/.*$/gm)) for (const s of m[0].matchAll(/\b([a-z]+(?:-[a-z]+)+)\b/g)) if (/-(secret|password|token|key)$/.test(s[1]!)) named.add(s[1]!);
  assert.ok(named.size >= 8, [...named].join(', '));
  for (const name of named) assert.ok(knownSecrets.has(name.replace(/-previous$/, '')), `${name} is not a secret Argus reads`);
  for (const name of knownSecrets) assert.ok(runbook.includes(name), `the runbook does not mention ${name}`);
});

test('the health check, the bot endpoint and the forwarder target are routes Argus serves', () => {
  const app = read('infra/modules/app.bicep');
  assert.match(app, /healthCheckPath: '\/readyz'/);
  assert.match(read('src/app/routes.ts'), /path: '\/readyz'/);
  assert.match(read('infra/main.bicep'), /\/api\/messages'/);
  assert.match(read('src/ingress/messages-route.ts'), /path: '\/api\/messages'/);
  assert.match(read('infra/main.bicep'), /\/api\/webhooks\/sentinel'/);
  assert.match(read('src/ingress/webhook-routes.ts'), /sentinel: '\/api\/webhooks\/sentinel'/);
  assert.match(read('src/incidents/feature.ts'), /route: 'sentinel'/);
  // The forwarder authenticates with its managed identity for Argus's audience, posting the trigger body.
  const forwarder = read('infra/modules/sentinel-forwarder.bicep');
  assert.match(forwarder, /authentication: \{\s+type: 'ManagedServiceIdentity'\s+identity: forwarderIdentityId\s+audience: webhookAudience/);
  assert.match(forwarder, /body: '@triggerBody\(\)'/);
  assert.match(forwarder, /path: '\/incident-creation'/);
});

test('the parameters file sets only declared parameters, and every parameter without a default', () => {
  const main = read('infra/main.bicep');
  const declared = new Map<string, boolean>();
  for (const m of main.matchAll(/^param (\w+) \w+( = .+)?$/gm)) declared.set(m[1]!, m[2] !== undefined);
  const given = Object.keys((JSON.parse(read('infra/main.parameters.json')) as { parameters: Record<string, unknown> }).parameters);
  for (const name of given) assert.ok(declared.has(name), `${name} is not a parameter of main.bicep`);
  for (const [name, hasDefault] of declared) if (!hasDefault) assert.ok(given.includes(name), `${name} has no default and no value`);
});

test('the runbook\'s config block is a complete, valid config file on its own', () => {
  const file = parseFileConfig(productionConfigYaml());
  assert.equal(file.webhookAuth.entra?.audience.startsWith('api://'), true);
  assert.equal(file.webhookAuth.entra?.allowedCallers.length, 1);
});

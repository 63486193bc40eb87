import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { loadConfig, parseFileConfig } from '../../src/config/load-config';
import { errorCatalog, isArgusError } from '../../src/errors/catalog';

const root = resolve(__dirname, '../..');

function configError(fn: () => unknown): { message: string; paths: string[] } {
  try {
    fn();
  } catch (err) {
    assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'), String(err));
    return { message: err.message, paths: err.details.map((d) => d.path ?? '') };
  }
  assert.fail('expected a config error');
}

test('the documented example config is valid', () => {
  const cfg = parseFileConfig(readFileSync(resolve(root, 'docs/argus.config.example.yaml'), 'utf8'));
  assert.equal(cfg.sentinel?.apiVersion, '2024-09-01');
  assert.equal(cfg.access.federation[0]?.maxRole, 'responder');
});

test('an empty config gives dev defaults: embedded storage, loopback, env secrets', () => {
  const cfg = loadConfig({}, { fileText: '' , cwd: '/srv/argus' });
  assert.equal(cfg.devMode, true);
  assert.equal(cfg.host, '127.0.0.1');
  assert.equal(cfg.port, 3978);
  assert.deepEqual(cfg.storage, { kind: 'embedded', dataDir: '/srv/argus/.argus-data' });
  assert.deepEqual(cfg.secrets, { kind: 'env' });
});

test('dev mode refuses to bind beyond loopback', () => {
  assert.equal(loadConfig({ HOST: '0.0.0.0' }, { fileText: '' }).host, '127.0.0.1');
  assert.equal(loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'x' }, { fileText: '' }).host, '0.0.0.0');
});

test('errors name the bad key, and unknown keys are errors', () => {
  const e = configError(() => parseFileConfig('access:\n  roles:\n    admin:\n      groups: [not-a-guid]\n'));
  assert.deepEqual(e.paths, ['access.roles.admin.groups[0]']);
  assert.match(e.message, /access\.roles\.admin\.groups\[0\]: must be a GUID/);
  assert.ok(configError(() => parseFileConfig('tenantid: 00000000-0000-0000-0000-000000000000\n')).message.includes('tenantid'));
  assert.deepEqual(configError(() => parseFileConfig('itsm: { provider: jira }\n')).paths, ['itsm.jira']);
  assert.ok(configError(() => parseFileConfig('routing: [oops\n')).message.length > 0, 'YAML syntax errors are config errors too');
});

test('environment errors name the variable', () => {
  assert.deepEqual(configError(() => loadConfig({ PORT: 'eighty' }, { fileText: '' })).paths, ['PORT']);
  assert.deepEqual(configError(() => loadConfig({ ARGUS_CONFIG: '/nope/argus.yaml' }, {})).paths, ['ARGUS_CONFIG']);
});

test('NODE_ENV=production refuses dev mode and embedded storage', () => {
  const e = configError(() => loadConfig({ NODE_ENV: 'production' }, { fileText: '' }));
  assert.deepEqual(e.paths.sort(), ['ARGUS_STORAGE_CONNECTION_STRING', 'MICROSOFT_APP_ID']);
  const ok = loadConfig({ NODE_ENV: 'production', MICROSOFT_APP_ID: 'app', ARGUS_STORAGE_ACCOUNT_URL: 'https://acct.table.core.windows.net' }, { fileText: '' });
  assert.equal(ok.production, true);
  assert.equal(ok.storage.kind, 'accountUrl');
});

test('every error code in the catalog is documented in the README', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  for (const [code, { status }] of Object.entries(errorCatalog)) {
    assert.match(readme, new RegExp(`\\| \`${code}\` \\| ${status} \\|`), `${code} (${status}) is in the README's error table`);
  }
});

test('production refuses to start without the webhook secrets it verifies', async () => {
  const { assertProductionSecrets } = await import('../../src/app/secrets');
  const { createEnvSecretProvider } = await import('../../src/config/secrets-env');
  const env = { NODE_ENV: 'production', MICROSOFT_APP_ID: 'app', ARGUS_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
  const cfg = loadConfig(env, { fileText: '' });
  await assert.rejects(assertProductionSecrets(cfg, createEnvSecretProvider(env)), (err: unknown) => isArgusError(err, 'ARGUS_SECRET_MISSING') && /sentinel-webhook-secret/.test(err.message));
  const withSecret = { ...env, ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: 's3cret' };
  await assertProductionSecrets(cfg, createEnvSecretProvider(withSecret));
});

test('in production an Entra caller excuses only the secrets of the routes it may call', async () => {
  const { assertProductionSecrets } = await import('../../src/app/secrets');
  const { createEnvSecretProvider } = await import('../../src/config/secrets-env');
  const env = { NODE_ENV: 'production', MICROSOFT_APP_ID: 'app', ARGUS_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' };
  const yaml = (routes: string) =>
    [
      'itsm:',
      '  provider: servicenow',
      '  servicenow: { instanceUrl: https://contoso.service-now.com, username: argus }',
      'webhookAuth:',
      '  entra:',
      '    tenantId: 00000000-0000-0000-0000-0000000000aa',
      '    audience: api://argus',
      `    allowedCallers: [{ id: 11111111-1111-1111-1111-111111111111, routes: [${routes}] }]`,
    ].join('\n');
  // The Sentinel Logic App's identity says nothing about ServiceNow's callbacks: that secret is still needed.
  await assert.rejects(
    assertProductionSecrets(loadConfig(env, { fileText: yaml('sentinel') }), createEnvSecretProvider(env)),
    (err: unknown) => isArgusError(err, 'ARGUS_SECRET_MISSING') && /itsm-webhook-secret/.test(err.message) && !/sentinel-webhook-secret/.test(err.message),
  );
  await assertProductionSecrets(loadConfig(env, { fileText: yaml('sentinel, itsm-servicenow') }), createEnvSecretProvider(env));
});

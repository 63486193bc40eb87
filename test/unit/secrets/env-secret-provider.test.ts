import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isArgusError } from '../../../src/errors/catalog';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { secretNames, type SecretProvider } from '../../../src/config/secret-provider';
import { getSecretVersions } from '../../../src/config/secrets-rotation';
import { createEnvSecretProvider } from '../../../src/config/secrets-env';

const env = {
  ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: 'sentinel-value-123',
  ARGUS_SECRET_ITSM_WEBHOOK_SECRET: 'itsm-new',
  ARGUS_SECRET_ITSM_WEBHOOK_SECRET_PREVIOUS: 'itsm-old',
  ARGUS_SECRET_JIRA_WEBHOOK_SECRET_PREVIOUS: 'orphaned-old',
  ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: 'same',
  ARGUS_SECRET_ALERTS_WEBHOOK_SECRET_PREVIOUS: 'same',
  ARGUS_SECRET_SERVICENOW_PASSWORD: '',
};

test('reads ARGUS_SECRET_<UPPER_SNAKE> for a Key Vault style name', async () => {
  const secrets = createEnvSecretProvider(env);
  assert.equal(await secrets.get(secretNames.sentinelWebhook), 'sentinel-value-123');
  assert.equal(await secrets.require(secretNames.sentinelWebhook), 'sentinel-value-123');
});

test('a missing or empty variable is undefined, and require names the variable to set', async () => {
  const secrets = createEnvSecretProvider(env);
  assert.equal(await secrets.get(secretNames.playbookCallback), undefined);
  assert.equal(await secrets.get(secretNames.servicenowPassword), undefined);
  await assert.rejects(secrets.require(secretNames.servicenowPassword), (err: unknown) => {
    assert.ok(isArgusError(err, 'ARGUS_SECRET_MISSING'));
    assert.match(err.message, /ARGUS_SECRET_SERVICENOW_PASSWORD/);
    return true;
  });
});

test('names outside [0-9a-zA-Z-]{1,127} are refused before any lookup', async () => {
  const secrets = createEnvSecretProvider({ ARGUS_SECRET_A_B: 'x' });
  for (const bad of ['a_b', '', 'a/b', '../x', 'a'.repeat(128), 'sp ace']) {
    await assert.rejects(secrets.get(bad), (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID'), bad);
    await assert.rejects(secrets.require(bad), (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID'), bad);
  }
  // The -previous companion must fit the length limit too.
  await assert.rejects(secrets.getAll('a'.repeat(120)), (err: unknown) => isArgusError(err, 'ARGUS_CONFIG_INVALID'));
});

test('getAll returns [current, previous] during a rotation, [current] otherwise', async () => {
  const secrets = createEnvSecretProvider(env);
  assert.deepEqual(await secrets.getAll(secretNames.itsmWebhook), ['itsm-new', 'itsm-old']);
  assert.deepEqual(await secrets.getAll(secretNames.sentinelWebhook), ['sentinel-value-123']);
  assert.deepEqual(await secrets.getAll(secretNames.alertsWebhook), ['same']);
  // A leftover -previous without a current value authenticates nothing.
  assert.deepEqual(await secrets.getAll(secretNames.jiraWebhook), []);
  assert.deepEqual(await secrets.getAll(secretNames.playbookCallback), []);
});

test('ping succeeds, and values are cached until invalidated', async () => {
  const mutable: Record<string, string | undefined> = { ARGUS_SECRET_JIRA_API_TOKEN: 'one' };
  const secrets = createEnvSecretProvider(mutable);
  await secrets.ping();
  assert.equal(await secrets.get(secretNames.jiraApiToken), 'one');
  mutable.ARGUS_SECRET_JIRA_API_TOKEN = 'two';
  assert.equal(await secrets.get(secretNames.jiraApiToken), 'one');
  secrets.invalidate(secretNames.jiraApiToken);
  assert.equal(await secrets.get(secretNames.jiraApiToken), 'two');
});

test('logs name secrets but never their values', async () => {
  const stream = createMemoryLogStream();
  const secrets = createEnvSecretProvider(env, { logger: createLogger({ level: 'trace', destination: stream }) });
  await secrets.getAll(secretNames.itsmWebhook);
  await secrets.get(secretNames.sentinelWebhook);
  const text = JSON.stringify(stream.lines);
  assert.ok(stream.lines.length >= 3, 'each read is logged');
  assert.match(text, /itsm-webhook-secret/);
  for (const value of ['itsm-new', 'itsm-old', 'sentinel-value-123']) assert.ok(!text.includes(value), `${value} leaked`);
});

test('getSecretVersions works through any SecretProvider, e.g. a wrapper without getAll', async () => {
  const inner = createEnvSecretProvider(env);
  const wrapper: SecretProvider = { get: (n) => inner.get(n), require: (n) => inner.require(n), invalidate: (n) => inner.invalidate(n), ping: () => inner.ping() };
  assert.deepEqual(await getSecretVersions(wrapper, secretNames.itsmWebhook), ['itsm-new', 'itsm-old']);
  assert.deepEqual(await getSecretVersions(wrapper, secretNames.jiraWebhook), []);
});

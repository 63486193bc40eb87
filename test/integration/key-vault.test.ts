import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { keyVaultProbeSecretName } from '../../src/config/secrets-key-vault';
import { fakeVaultHost, fakeVaultResource, startFakeKeyVault, type FakeKeyVault } from '../helpers/fake-key-vault';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import type { KeyVaultClientPlan, KeyVaultClientReport } from '../helpers/key-vault-client';
import { createTestCertificate, type TestCertificate } from '../helpers/tls';

const values = {
  sentinel: 'kv-sentinel-7f3a9c',
  itsmNew: 'kv-itsm-new-41b2',
  itsmOld: 'kv-itsm-old-88d0',
};

let certificate: TestCertificate;
let identity: FakeManagedIdentity;
let vault: FakeKeyVault;

before(async () => {
  certificate = createTestCertificate({ dnsNames: [fakeVaultHost] });
  identity = await startFakeManagedIdentity();
  vault = await startFakeKeyVault({
    certificate,
    secrets: {
      'sentinel-webhook-secret': values.sentinel,
      'itsm-webhook-secret': values.itsmNew,
      'itsm-webhook-secret-previous': values.itsmOld,
    },
  });
});

after(async () => {
  await vault.close();
  await identity.close();
  certificate.remove();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs the real provider in a child process that trusts the fake vault's certificate. */
async function runClient(plan: KeyVaultClientPlan): Promise<KeyVaultClientReport> {
  const script = join(__dirname, '..', 'helpers', 'key-vault-client.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, JSON.stringify(plan)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: certificate.certPath, ...identity.env },
    timeout: 30_000,
  });
  return JSON.parse(stdout) as KeyVaultClientReport;
}

test('reads secrets through the SDK with a managed-identity token; caches; rotation; missing; vault down', async () => {
  const downUrl = `https://${fakeVaultHost}:${await freePort()}`;
  const fast = { retry: { maxRetries: 1, retryDelayMs: 20, maxRetryDelayMs: 50 }, timeoutMs: 5_000 };
  const report = await runClient({
    providers: { vault: { vaultUrl: vault.vaultUrl }, down: { vaultUrl: downUrl, ...fast, pingTimeoutMs: 5_000 } },
    steps: [
      { provider: 'vault', op: 'get', name: 'sentinel-webhook-secret' },
      { provider: 'vault', op: 'get', name: 'sentinel-webhook-secret' },
      { provider: 'vault', op: 'get', name: 'playbook-callback-secret' },
      { provider: 'vault', op: 'require', name: 'playbook-callback-secret' },
      { provider: 'vault', op: 'getAll', name: 'itsm-webhook-secret' },
      { provider: 'vault', op: 'getAll', name: 'sentinel-webhook-secret' },
      { provider: 'vault', op: 'ping' },
      { provider: 'vault', op: 'invalidate', name: 'sentinel-webhook-secret' },
      { provider: 'vault', op: 'require', name: 'sentinel-webhook-secret' },
      { provider: 'down', op: 'get', name: 'sentinel-webhook-secret' },
      { provider: 'down', op: 'ping' },
    ],
  });
  const [first, cached, missing, required, rotating, single, ping, , reread, down, downPing] = report.outcomes;

  assert.deepEqual(first, { ok: true, value: values.sentinel });
  assert.deepEqual(cached, { ok: true, value: values.sentinel });
  assert.deepEqual(missing, { ok: true });
  assert.equal(required?.ok, false);
  assert.equal(required?.ok === false && required.code, 'ARGUS_SECRET_MISSING');
  assert.deepEqual(rotating, { ok: true, value: [values.itsmNew, values.itsmOld] });
  assert.deepEqual(single, { ok: true, value: [values.sentinel] });
  assert.deepEqual(ping, { ok: true });
  assert.deepEqual(reread, { ok: true, value: values.sentinel });

  // The vault saw one authenticated read per name, except the re-read after invalidate().
  const reads = vault.reads();
  assert.equal(reads.filter((n) => n === 'sentinel-webhook-secret').length, 2);
  assert.equal(reads.filter((n) => n === 'playbook-callback-secret').length, 1);
  assert.equal(reads.filter((n) => n === 'itsm-webhook-secret-previous').length, 1);
  assert.equal(reads.filter((n) => n === keyVaultProbeSecretName).length, 1);
  // The SDK's challenge flow: an unauthenticated first request, then a token for the vault's audience.
  assert.equal(vault.requests[0]?.headers.authorization, undefined);
  assert.ok(identity.issued.includes(fakeVaultResource), `tokens issued for ${identity.issued.join(', ')}`);

  for (const outcome of [down, downPing]) {
    assert.equal(outcome?.ok, false);
    if (outcome?.ok !== false) continue;
    assert.equal(outcome.code, 'ARGUS_DEPENDENCY_FAILED');
    assert.match(outcome.message, new RegExp(`Key Vault ${downUrl.replace(/\./g, '\\.')} could not be read`));
    assert.match(outcome.message, /ECONNREFUSED/);
  }

  const logText = JSON.stringify(report.logs);
  assert.match(logText, /sentinel-webhook-secret/, 'reads are logged by name');
  assert.ok(report.logs.some((line) => line.level === 40 && line.msg === 'Key Vault read failed'), 'the outage is logged as a warning');
  for (const value of Object.values(values)) assert.ok(!logText.includes(value), 'no secret value in the logs');
});

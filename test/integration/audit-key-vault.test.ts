import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { globalAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { DefaultAzureCredential } from '@azure/identity';
import { checkpointTableName } from '../../src/audit/checkpoint';
import { startAuditCheckpoints } from '../../src/audit/checkpoint-setup';
import { TableCheckpointStore } from '../../src/audit/checkpoint-store';
import { TableAuditLog } from '../../src/audit/table-audit-log';
import { runCli } from '../../src/cli/main';
import { loadConfig } from '../../src/config/load-config';
import { createLogger } from '../../src/logging/logger';
import { openTableStore, type TableStore } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { fakeVaultHost, fakeVaultResource, startFakeKeyVault, type FakeKeyVault } from '../helpers/fake-key-vault';
import { startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { resolveLocalhostNamesToLoopback } from '../helpers/loopback-dns';
import { createTestCertificate, type TestCertificate } from '../helpers/tls';

let certificate: TestCertificate;
let identity: FakeManagedIdentity;
let vault: FakeKeyVault;
let azurite: TestAzurite;
let store: TableStore;
let dir: string;
let env: Record<string, string>;

before(async () => {
  certificate = createTestCertificate({ dnsNames: [fakeVaultHost] });
  identity = await startFakeManagedIdentity();
  vault = await startFakeKeyVault({ certificate, keys: [{ name: 'argus-audit' }] });
  azurite = await startAzurite();
  dir = await mkdtemp(join(tmpdir(), 'argus-audit-kv-'));
  const config = ['audit:', '  checkpoints:', '    everyRows: 3', `    keyVault: { vaultUrl: "${vault.vaultUrl}", keyName: argus-audit, algorithm: ES256 }`].join('\n');
  await writeFile(join(dir, 'argus.config.yaml'), `${config}\n`);
  env = { HOME: dir, ARGUS_CONFIG: join(dir, 'argus.config.yaml'), ARGUS_DATA_DIR: join(dir, 'data'), ...azurite.env };
  // What App Service gives the process (DefaultAzureCredential reads it), and what NODE_EXTRA_CA_CERTS
  // would give a fresh process: trust in the fake vault's certificate (node:https, which axios uses),
  // and its *.localhost name on loopback. Only this test file's process is changed.
  Object.assign(process.env, identity.env);
  globalAgent.options.ca = certificate.cert;
  resolveLocalhostNamesToLoopback();
  ({ store } = await openTableStore({ kind: 'connectionString', connectionString: azurite.connectionString }, { logger: createLogger({ level: 'silent' }) }));
});
after(async () => {
  await store.close();
  await vault.close();
  await identity.close();
  await azurite.stop();
  certificate.remove();
  await rm(dir, { recursive: true, force: true });
});

/** Wires checkpoints as the service does (real DefaultAzureCredential, Key Vault signer) and appends rows. */
async function appendSigned(rows: number): Promise<Array<{ seq: number; kid: string }>> {
  const audit = await TableAuditLog.open(store);
  const credential = new DefaultAzureCredential();
  const checkpointer = await startAuditCheckpoints({ config: loadConfig(env), cwd: dir, credential: () => credential, logger: createLogger({ level: 'silent' }), store, audit, tickMs: 3_600_000 });
  for (let i = 0; i < rows; i += 1) {
    await audit.append({ action: 'card.assign', outcome: 'allowed', actorName: `User ${i}`, target: 'inc-kv' });
    await checkpointer.idle();
  }
  await checkpointer.stop();
  return (await new TableCheckpointStore(store.client(checkpointTableName)).list(10)).map(({ seq, kid }) => ({ seq, kid }));
}

async function argus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => new Writable({ write: (chunk: Buffer, _e, done) => (into.push(chunk.toString()), done()) });
  const code = await runCli(args, { stdout: sink(out), stderr: sink(err), stdin: new PassThrough(), env, cwd: dir });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const signRequests = () => vault.requests.filter((r) => r.method === 'POST' && r.path === '/keys/argus-audit/sign');

test('checkpoints signed by a Key Vault key (managed identity, challenge flow); verify reads the public key of the signing version', async () => {
  const v1 = vault.keys.versions.get('argus-audit')?.[0]?.version;
  assert.deepEqual(await appendSigned(3), [{ seq: 3, kid: `${vault.vaultUrl}/keys/argus-audit/${v1}` }]);
  const [challenge, sign] = signRequests();
  assert.equal(challenge?.headers.authorization, undefined, 'the first request fetches the challenge…');
  assert.equal(challenge?.body, '', '…without the digest');
  assert.equal(sign?.query.get('api-version'), '7.4');
  assert.deepEqual(Object.keys(sign?.json as object).sort(), ['alg', 'value']);
  assert.equal((sign?.json as { alg: string }).alg, 'ES256');
  assert.equal(Buffer.from((sign?.json as { value: string }).value, 'base64url').length, 32, 'the digest is sent, not the data');
  assert.ok(identity.issued.includes(fakeVaultResource), `tokens issued for ${identity.issued.join(', ')}`);

  const verify = await argus('audit', 'verify');
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.ok(verify.stdout.includes(`anchored: newest checkpoint seq 3 (signed `), verify.stdout);
  assert.ok(verify.stdout.includes(` by ${vault.vaultUrl}/keys/argus-audit/${v1}) verifies`), verify.stdout);
});

test('after a key rotation, with only the sign permission: checkpoints go on; verify needs get or an exported public key', async () => {
  const v2 = vault.keys.createKey('argus-audit');
  vault.keys.permissions.delete('get');
  try {
    const [newest] = await appendSigned(3);
    assert.deepEqual(newest, { seq: 6, kid: `${vault.vaultUrl}/keys/argus-audit/${v2.version}` });

    const noGet = await argus('audit', 'verify');
    assert.equal(noGet.code, 1);
    assert.match(noGet.stderr, /ARGUS_DEPENDENCY_FAILED: Key Vault https:\/\/argus\.vault\.localhost:\d+ key "argus-audit" refused to give its public key: 403 Forbidden/);

    await writeFile(join(dir, 'v2.pem'), v2.publicKey.export({ type: 'spki', format: 'pem' }));
    const withFile = await argus('audit', 'verify', '--public-key', 'v2.pem');
    assert.equal(withFile.code, 0, withFile.stdout + withFile.stderr);
    assert.match(withFile.stdout, /^anchored: newest checkpoint seq 6 /m);

    // The old version's key does not verify the new checkpoint.
    const v1 = vault.keys.versions.get('argus-audit')?.[0];
    await writeFile(join(dir, 'v1.pem'), v1?.publicKey.export({ type: 'spki', format: 'pem' }) ?? '');
    const oldKey = await argus('audit', 'verify', '--public-key', 'v1.pem');
    assert.equal(oldKey.code, 1);
    assert.match(oldKey.stdout, /bad-signature/);
  } finally {
    vault.keys.permissions.add('get');
  }
});

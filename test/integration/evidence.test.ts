import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { signBody, signatureHeader } from '../../src/security/signature';
import { tableNames } from '../../src/storage/table-store';
import { countEntities, sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { invoke, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { runCliHere } from '../helpers/run-cli';

const repo = resolve(__dirname, '../..');
const uploadSecret = 'test-evidence-upload-secret';
const people = testPeople();
const incidentNumber = 48213;
const incidentName = '2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c21';
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let h: Harness;
let spot: ChannelSpot;
let dir: string;
let argusBin: string;

before(async () => {
  h = await startHarness({ configYaml: `tenantId: ${home}\n${accessYaml(people, 'responder')}\n`, env: { ARGUS_SECRET_EVIDENCE_UPLOAD_SECRET: uploadSecret } });
  spot = await subscribedChannel(h, '19:soc-evidence@thread.tacv2', people.admin, home);
  assert.equal((await h.signedPost('/api/webhooks/sentinel', sentinelFixture('logic-app-incident-created.json'))).status, 202);
  await h.argus.idle();
  dir = await mkdtemp(join(tmpdir(), 'argus-evidence-'));
  // `argus` as users start it (see cli-bin.test.ts): a symlink named argus to the installed bin.
  argusBin = join(dir, 'argus');
  await symlink(join(repo, 'bin/argus.js'), argusBin);
  await writeFile(join(dir, 'argus.config.yaml'), '');
});
after(async () => {
  await h.stop();
  await rm(dir, { recursive: true, force: true });
});

function argus(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: dir, ARGUS_CONFIG: join(dir, 'argus.config.yaml'), LOG_LEVEL: 'warn', ...h.azurite.env };
  return new Promise((done) =>
    execFile(argusBin, args, { env, cwd: dir, timeout: 30_000 }, (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })),
  );
}

/** The same commands in this process (cheaper than a start of the bin; used where how it is started does not matter). */
async function argusHere(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await runCliHere(args, { env: { ARGUS_CONFIG: join(dir, 'argus.config.yaml'), ...h.azurite.env }, cwd: dir });
  return { code: run.code, stdout: run.out, stderr: run.err };
}

function upload(content: Buffer, query: Record<string, string>, sign: 'valid' | 'wrong' | 'none' = 'valid') {
  const q = new URLSearchParams({ incident: String(incidentNumber), custodian: 'Logic App collector', purpose: 'investigation package', source: 'Defender for Endpoint', filename: 'FIN-WS-042-package.zip', ...query });
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (sign !== 'none') headers[signatureHeader] = signBody(sign === 'valid' ? uploadSecret : 'not-the-secret', content);
  return h.post(`/api/evidence?${q}`, content, headers);
}

const container = () => BlobServiceClient.fromConnectionString(h.azurite.connectionString).getContainerClient('argus-evidence');
async function blobNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const b of container().listBlobsFlat()) names.push(b.name);
  return names.sort();
}

describe('evidence with a chain of custody', () => {
  const packageBytes = Buffer.concat([Buffer.from('PK\u0003\u0004 investigation package '), Buffer.alloc(300_000, 7)]);
  let uploadedId: string;
  let cliId: string;

  test('a signed upload is stored with the SHA-256 Argus computed, and the incident card lists it', async () => {
    const res = await upload(packageBytes, {});
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.json).sort(), ['evidenceId', 'sha256', 'size']);
    assert.deepEqual([res.json.sha256, res.json.size], [sha256(packageBytes), packageBytes.length]);
    uploadedId = res.json.evidenceId;
    assert.deepEqual(await blobNames(), [uploadedId]);
    const card = await h.connector.waitFor((c) => c.kind === 'update' && JSON.stringify(h.connector.cardOf(c) ?? {}).includes('FIN-WS-042-package.zip'));
    const text = JSON.stringify(h.connector.cardOf(card));
    assert.ok(text.includes('Evidence · 1 item(s)'), text);
    assert.ok(text.includes(`FIN-WS-042-package.zip · ${res.json.sha256.slice(0, 12)} · Logic App collector`), text);
  });

  test('without a valid signature, or for an unknown incident, nothing is stored', async () => {
    const rows = await countEntities(h.table(tableNames.evidence));
    assert.equal((await upload(Buffer.from('forged'), {}, 'none')).status, 401);
    const wrong = await upload(Buffer.from('forged'), {}, 'wrong');
    assert.deepEqual([wrong.status, wrong.json.error.code], [401, 'ARGUS_BAD_SIGNATURE']);
    const unknown = await upload(Buffer.from('real bytes'), { incident: '999999' });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'ARGUS_NOT_FOUND']);
    assert.equal((await upload(Buffer.from('x'), { purpose: '' })).status, 400);
    assert.deepEqual(await blobNames(), [uploadedId]);
    assert.equal(await countEntities(h.table(tableNames.evidence)), rows);
  });

  test('a reader cannot add evidence from the card (refused, audited); a responder can', async () => {
    const data = { incidentId: incidentName, evidenceExcerpt: '4624 An account was successfully logged on: svc-backup from 203.0.113.45', evidenceSource: 'DC01 Security log', evidencePurpose: 'lateral movement' };
    const refused = await invoke(h, spot, people.reader, 'evidence.add', data);
    assert.match(JSON.stringify(refused.value), /Access denied/);
    const audit = [];
    for await (const r of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (r.action === 'evidence.add' && r.outcome === 'rejected') audit.push(r);
    assert.deepEqual(audit.map((r) => r.actorId), [people.reader.aadObjectId]);
    assert.equal((await blobNames()).length, 1);

    const added = await invoke(h, spot, people.responder, 'evidence.add', data);
    assert.equal(added.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(added.value), new RegExp(`Evidence registered: log excerpt \\(${Buffer.byteLength(data.evidenceExcerpt)} bytes\\) · SHA-256 ${sha256(data.evidenceExcerpt).slice(0, 12)}… · custodian Rui Responder`));
    assert.equal((await blobNames()).length, 2);
  });

  test('argus evidence add through the installed command; transfer, show, verify', async () => {
    const file = join(dir, 'memory.dmp');
    await writeFile(file, 'memory image bytes');
    const added = await argus('evidence', 'add', '--incident', String(incidentNumber), '--file', file, '--custodian', 'Alex Analyst', '--purpose', 'memory forensics', '--json');
    assert.equal(added.code, 0, added.stderr);
    const registered = JSON.parse(added.stdout);
    assert.deepEqual(registered, { evidenceId: registered.evidenceId, sha256: sha256('memory image bytes'), size: 18 });
    cliId = registered.evidenceId;
    assert.equal((await argusHere('evidence', 'transfer', cliId, '--to', 'Forensics Ltd', '--reason', 'disk analysis')).code, 0);
    const shown = await argusHere('evidence', 'show', cliId, '--json');
    const item = JSON.parse(shown.stdout);
    assert.deepEqual(Object.keys(item), ['evidenceId', 'incident', 'sha256', 'size', 'custodian', 'custody']);
    assert.deepEqual([item.incident, item.custodian], [incidentNumber, 'Forensics Ltd']);
    assert.deepEqual(item.custody.map((c: Record<string, unknown>) => [c.seq, c.action, c.by, c.to ?? null]), [[1, 'registered', 'Alex Analyst', null], [2, 'transferred', 'Alex Analyst', 'Forensics Ltd']]);
    assert.equal(item.custody[0].prevHash, item.sha256);
    const verified = await argusHere('evidence', 'verify');
    assert.deepEqual([verified.code, verified.stdout.trim()], [0, 'evidence intact: 3 item(s) checked (content re-hashed, custody ledgers verified)']);
  });

  test('verify fails naming the items whose blob or ledger row was altered in storage', async () => {
    const blob = container().getBlockBlobClient(uploadedId);
    const tampered = Buffer.from(packageBytes);
    tampered[100] = 8;
    await blob.upload(tampered, tampered.length);
    const ledger = h.table(tableNames.evidence);
    let row: { partitionKey: string; rowKey: string } | undefined;
    for await (const r of ledger.listEntities()) if (r.rowKey === `custody-${cliId}-000002`) row = { partitionKey: r.partitionKey!, rowKey: r.rowKey! };
    assert.ok(row);
    await ledger.updateEntity({ ...row, reason: 'nothing happened' }, 'Merge');

    const broken = await argusHere('evidence', 'verify');
    assert.equal(broken.code, 1, broken.stderr);
    const lines = broken.stdout.trim().split('\n').sort();
    const expected = [
      `evidence BROKEN: ${cliId} (incident #${incidentNumber}, memory.dmp): custody ledger: entry 2 was altered (its hash does not match)`,
      `evidence BROKEN: ${uploadedId} (incident #${incidentNumber}, FIN-WS-042-package.zip): its content changed: ${packageBytes.length} bytes with SHA-256 ${sha256(tampered)}, registered ${packageBytes.length} bytes with ${sha256(packageBytes)}`,
    ].sort();
    assert.deepEqual(lines, expected);
    await blob.upload(packageBytes, packageBytes.length);
    assert.equal((await argusHere('evidence', 'verify', uploadedId)).code, 0, 'the original bytes verify again');
    assert.equal((await argusHere('evidence', 'verify', cliId)).code, 1, 'the ledger stays broken');
  });
});

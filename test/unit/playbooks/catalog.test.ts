import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config';
import { isArgusError, type ArgusError } from '../../../src/errors/catalog';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { loadPlaybookCatalog, parsePlaybook } from '../../../src/playbooks/catalog';
import { parseIsoDuration } from '../../../src/playbooks/duration';
import { createPlaybooksFeature, type PlaybooksDeps } from '../../../src/playbooks/feature';

const shipped = resolve(__dirname, '../../../playbooks');
const sentinel = { subscriptionId: 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0', resourceGroup: 'soc-rg' };

const valid = `
id: block-ip
title: Block IP
description: Blocks the address.
appliesTo: { entityKinds: [ip] }
actsOn: Ip
target: { type: http, urlSecret: playbook-block-ip-url }
`;

function rejects(fn: () => unknown): ArgusError {
  try {
    fn();
  } catch (err) {
    assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'), String(err));
    return err;
  }
  assert.fail('expected ARGUS_CONFIG_INVALID');
}

test('the shipped playbooks all load, with the roles, approvals and targets they promise', () => {
  const catalog = loadPlaybookCatalog({ dir: shipped, sentinel, publicUrl: 'https://argus.example.com' });
  const ids = catalog.playbooks.map((p) => p.definition.id).sort();
  assert.deepEqual(ids, ['block-ip', 'collect-investigation-package', 'disable-account', 'isolate-host', 'reset-password', 'revoke-sessions']);
  assert.equal(catalog.available().length, 6);
  const isolate = catalog.get('isolate-host');
  assert.equal(isolate?.definition.actsOn, 'Host');
  assert.deepEqual(isolate?.approval, { approverRole: 'admin', expiresAfterMs: 30 * 60_000 });
  assert.equal(catalog.get('reset-password')?.definition.requiredRole, 'admin');
  assert.equal(catalog.get('revoke-sessions')?.approval, undefined);
  const collect = catalog.get('collect-investigation-package');
  assert.deepEqual(collect?.target, {
    type: 'sentinel',
    logicAppResourceId: `/subscriptions/${sentinel.subscriptionId}/resourceGroups/soc-rg/providers/Microsoft.Logic/workflows/argus-collect-investigation-package`,
  });
  assert.equal(collect?.timeoutMs, 3_600_000);
});

test('without Sentinel or publicUrl the playbooks load but are unavailable, saying why', () => {
  const logs = createMemoryLogStream();
  const catalog = loadPlaybookCatalog({ dir: shipped, logger: createLogger({ level: 'warn', destination: logs }) });
  assert.equal(catalog.available().length, 0);
  assert.match(catalog.get('collect-investigation-package')?.unavailable ?? '', /sentinel is not configured/);
  assert.match(catalog.get('block-ip')?.unavailable ?? '', /publicUrl/);
  assert.equal(logs.lines.filter((l) => l.msg === 'playbook cannot run here; it is not offered').length, 6);
});

test('defaults: responder, no approval, 15 minutes; entity kinds are spelled as Sentinel does', () => {
  const p = parsePlaybook(valid, 'block-ip.yaml', { publicUrl: 'https://argus.example.com' });
  assert.equal(p.definition.requiredRole, 'responder');
  assert.equal(p.approval, undefined);
  assert.equal(p.timeoutMs, 15 * 60_000);
  assert.deepEqual(p.definition.appliesTo.entityKinds, ['Ip']);
  assert.equal(p.unavailable, undefined);
});

test('a bad definition is an error naming the file and the key', () => {
  const cases: [string, RegExp][] = [
    [`${valid}colour: red\n`, /block-ip\.yaml.*colour/],
    [valid.replace('actsOn: Ip', 'actsOn: Host'), /actsOn: must be one of appliesTo\.entityKinds/],
    [valid.replace('[ip]', '[Hostname]'), /appliesTo\.entityKinds\[0\]: 'Hostname' is not a Sentinel entity kind/],
    [`${valid}approval: { required: true, expiresAfter: 30 minutes }\n`, /approval\.expiresAfter: must be an ISO-8601 duration/],
    [`${valid}approval: { required: true }\n`, /approval\.expiresAfter/],
    [`${valid}timeout: P30D\n`, /timeout: must be more than zero and at most P1D/],
    [`${valid}requiredRole: reader\n`, /requiredRole/],
    [valid.replace('urlSecret: playbook-block-ip-url', 'urlSecret: "https://x/y?sig=1"'), /target\.urlSecret: must be a secret name/],
    [valid.replace('{ type: http, urlSecret: playbook-block-ip-url }', '{ type: sentinel, logicAppResourceId: /subscriptions/x/providers/y }'), /target\.logicAppResourceId/],
    [valid.replace('id: block-ip', 'id: Block IP'), /id: must be lower-case/],
    ['id: [unclosed', /block-ip\.yaml is invalid/],
  ];
  for (const [text, pattern] of cases) {
    const err = rejects(() => parsePlaybook(text, 'block-ip.yaml'));
    assert.match(err.message, pattern, text);
    assert.ok(err.details.every((d) => d.path?.startsWith('block-ip.yaml')), JSON.stringify(err.details));
  }
});

test('a folder with a bad file or a duplicate id stops loading; a missing folder is an empty catalog', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-playbooks-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), valid);
    writeFileSync(join(dir, 'notes.txt'), 'not a playbook');
    assert.equal(loadPlaybookCatalog({ dir }).playbooks.length, 1);
    writeFileSync(join(dir, 'b.yml'), valid);
    assert.match(rejects(() => loadPlaybookCatalog({ dir })).message, /playbook b\.yml is invalid: id: 'block-ip' is already defined in a\.yaml/);
    writeFileSync(join(dir, 'b.yml'), valid.replace('id: block-ip', 'id: other').replace('appliesTo:', 'appliesTo: 3\nx:'));
    assert.match(rejects(() => loadPlaybookCatalog({ dir })).message, /b\.yml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(loadPlaybookCatalog({ dir: join(tmpdir(), 'argus-no-such-folder') }).playbooks.length, 0);
});

test('ISO-8601 durations: days, hours, minutes, (fractional) seconds', () => {
  assert.equal(parseIsoDuration('PT15M'), 900_000);
  assert.equal(parseIsoDuration('P1DT1H'), 90_000_000);
  assert.equal(parseIsoDuration('PT0.5S'), 500);
  for (const bad of ['P', 'PT', '15M', 'P1M', 'PT1.S', '']) assert.equal(parseIsoDuration(bad), undefined, bad);
});

test('a bad playbook file stops start-up: the feature refuses to register, naming file and key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-playbooks-'));
  try {
    writeFileSync(join(dir, 'bad.yaml'), `${valid}timeout: soon\n`);
    const config = loadConfig({}, { fileText: `playbooks: { dir: '${dir}' }` });
    // Loading the catalog is the first thing the feature does; none of its other ports is reached.
    const deps = { file: config.file, catalogDir: dir, logger: createLogger({ level: 'silent' }) } as unknown as PlaybooksDeps;
    await assert.rejects(Promise.resolve().then(() => createPlaybooksFeature(deps)), (err: unknown) => {
      assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'));
      assert.match(err.message, /playbook bad\.yaml is invalid: timeout: must be an ISO-8601 duration/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

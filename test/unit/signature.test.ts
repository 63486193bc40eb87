import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signBody, verifyHubSignature, verifySignature, computeSignature } from '../../src/security/signature';
import { createHmac } from 'node:crypto';

const body = Buffer.from('{"hello":"world"}');

test('a body signed with the secret verifies', () => {
  assert.deepEqual(verifySignature(signBody('s3cret', body), body, ['s3cret']), { ok: true });
});

test('any one of several v1 values may match (rotation), and any one of several secrets', () => {
  const t = Math.floor(Date.now() / 1000);
  const header = `t=${t},v1=${'0'.repeat(64)},v1=${computeSignature('new', t, body)}`;
  assert.deepEqual(verifySignature(header, body, ['old', 'new']), { ok: true });
});

test('missing, malformed, stale and forged signatures are told apart', () => {
  assert.deepEqual(verifySignature(undefined, body, ['s']), { ok: false, reason: 'missing' });
  assert.deepEqual(verifySignature('v1=abc', body, ['s']), { ok: false, reason: 'malformed' });
  const old = Date.now() - 301_000;
  assert.deepEqual(verifySignature(signBody('s', body, old), body, ['s']), { ok: false, reason: 'stale' });
  assert.deepEqual(verifySignature(signBody('other', body), body, ['s']), { ok: false, reason: 'mismatch' });
  const tampered = Buffer.from('{"hello":"World"}');
  assert.deepEqual(verifySignature(signBody('s', body), tampered, ['s']), { ok: false, reason: 'mismatch' });
});

test('a timestamp in the future beyond the skew is stale too', () => {
  assert.deepEqual(verifySignature(signBody('s', body, Date.now() + 400_000), body, ['s']), { ok: false, reason: 'stale' });
});

test('Jira X-Hub-Signature verifies the raw body', () => {
  const sig = `sha256=${createHmac('sha256', 'jira').update(body).digest('hex')}`;
  assert.deepEqual(verifyHubSignature(sig, body, ['jira']), { ok: true });
  assert.deepEqual(verifyHubSignature(sig, body, ['nope']), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifyHubSignature('sha1=abc', body, ['jira']), { ok: false, reason: 'malformed' });
});

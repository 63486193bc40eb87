import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkReportLink, defaultLinkTtlSeconds, reportLinkUrl, signReportLink } from '../../../src/response/reports/report-links';

const secret = 'report-link-test-secret';
const id = 'AbCdEfGhIjKlMnOpQrStUv';
const now = 1_770_000_000;
const exp = now + defaultLinkTtlSeconds;
const sig = signReportLink(secret, id, exp);

test('a link signed with the secret is valid until it expires (24 h by default)', () => {
  assert.equal(defaultLinkTtlSeconds, 86_400);
  assert.deepEqual(checkReportLink(secret, { id, exp: String(exp), sig }, now), { ok: true, exp });
  assert.deepEqual(checkReportLink(secret, { id, exp: String(exp), sig: sig.toUpperCase() }, now), { ok: true, exp });
  assert.equal(reportLinkUrl('https://argus.example.com/', id, exp, sig), `https://argus.example.com/reports/${id}?exp=${exp}&sig=${sig}`);
});

test('an altered link is refused: another id, a later expiry, a changed signature, another secret', () => {
  const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
  assert.deepEqual(checkReportLink(secret, { id: `${id.slice(0, -1)}X`, exp: String(exp), sig }, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(checkReportLink(secret, { id, exp: String(exp + 3600), sig }, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(checkReportLink(secret, { id, exp: String(exp), sig: flipped }, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(checkReportLink('another-secret', { id, exp: String(exp), sig }, now), { ok: false, reason: 'bad-signature' });
});

test('an expired link is refused, as is a malformed one', () => {
  assert.deepEqual(checkReportLink(secret, { id, exp: String(exp), sig }, exp), { ok: false, reason: 'expired' });
  assert.deepEqual(checkReportLink(secret, { id, exp: String(exp), sig }, exp + 1), { ok: false, reason: 'expired' });
  for (const bad of [{ id, sig }, { id, exp: String(exp) }, { id, exp: 'soon', sig }, { id, exp: String(exp), sig: sig.slice(2) }, { id: '../etc', exp: String(exp), sig }])
    assert.deepEqual(checkReportLink(secret, bad, now), { ok: false, reason: 'malformed' });
});

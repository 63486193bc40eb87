import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateKeyPair, SignJWT } from 'jose';
import { isArgusError } from '../../src/errors/catalog';
import { createEntraTokenVerifier, createEntraWebhookAuthenticator, type EntraTokenOptions } from '../../src/ingress/entra-token';
import type { HttpRequestInfo } from '../../src/ingress/http-types';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { callerClientId, callerObjectId, startFakeEntra, webhookAudience, type FakeEntra } from '../helpers/fake-jwks';

let entra: FakeEntra;
const logs = createMemoryLogStream();

function options(extra: Partial<EntraTokenOptions> = {}): EntraTokenOptions {
  return {
    tenantId: entra.tenantId,
    audience: webhookAudience,
    allowedCallers: [{ id: callerObjectId, routes: ['sentinel'] }],
    openIdConfigUrl: entra.openIdConfigUrl,
    logger: createLogger({ level: 'debug', destination: logs }),
    ...extra,
  };
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

before(async () => {
  entra = await startFakeEntra();
});
after(() => entra.close());

describe('Entra ID bearer tokens', () => {
  test('a managed identity token for our audience from an allow-listed identity is accepted', async () => {
    const verdict = await createEntraTokenVerifier(options()).verify(await entra.mint());
    assert.equal(verdict.ok, true);
    assert.ok(verdict.ok && verdict.caller === callerObjectId);
  });

  test('expired tokens are refused; a few seconds of clock skew are tolerated, minutes are not', async () => {
    const v = createEntraTokenVerifier(options());
    assert.deepEqual(await v.verify(await entra.mint({}, { shiftSeconds: -3900 })), { ok: false, reason: 'expired' });
    assert.equal((await v.verify(await entra.mint({}, { shiftSeconds: -3660 }))).ok, true, 'expired 60 s ago: within the skew');
    assert.deepEqual(await v.verify(await entra.mint({}, { shiftSeconds: 600 })), { ok: false, reason: 'not-yet-valid' });
  });

  test('a token for another audience is refused', async () => {
    const v = createEntraTokenVerifier(options());
    assert.deepEqual(await v.verify(await entra.mint({ aud: 'https://management.azure.com' })), { ok: false, reason: 'audience' });
  });

  test('a token from another issuer is refused; the same tenant\'s v1.0 issuer is accepted', async () => {
    const v = createEntraTokenVerifier(options());
    const other = 'https://login.microsoftonline.com/0b1c2d3e-0000-4000-8000-000000000009/v2.0';
    assert.deepEqual(await v.verify(await entra.mint({ iss: other })), { ok: false, reason: 'issuer' });
    assert.equal((await v.verify(await entra.mint({ iss: `https://sts.windows.net/${entra.tenantId}/`, ver: '1.0' }))).ok, true);
    assert.deepEqual(await v.verify(await entra.mint({ tid: '0b1c2d3e-0000-4000-8000-000000000009' })), { ok: false, reason: 'tenant' });
    assert.deepEqual(await v.verify(await entra.mint({ tid: undefined })), { ok: false, reason: 'claims' });
  });

  test('an identity that is not allow-listed is refused; a client id vouches for app-only tokens only', async () => {
    const v = createEntraTokenVerifier(options());
    const stranger = { oid: '99999999-0000-4000-8000-000000000001', sub: '99999999-0000-4000-8000-000000000001', azp: '99999999-0000-4000-8000-000000000002' };
    assert.deepEqual(await v.verify(await entra.mint(stranger)), { ok: false, reason: 'caller-not-allowed' });
    const byClient = createEntraTokenVerifier(options({ allowedCallers: [{ id: callerClientId.toUpperCase(), routes: ['sentinel'] }] }));
    const appOnly = await byClient.verify(await entra.mint({ oid: stranger.oid }));
    assert.ok(appOnly.ok && appOnly.caller === stranger.oid);
    assert.deepEqual(await byClient.verify(await entra.mint({ oid: stranger.oid, scp: 'user_impersonation' })), { ok: false, reason: 'caller-not-allowed' });
  });

  test('alg none, HMAC with the public key, a foreign key and a tampered payload are refused', async () => {
    const v = createEntraTokenVerifier(options());
    const valid = await entra.mint();
    const [header = '', payload = ''] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;

    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
    assert.deepEqual(await v.verify(none), { ok: false, reason: 'algorithm' });

    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: entra.kids()[0] }).sign(new TextEncoder().encode('public key bytes'));
    assert.deepEqual(await v.verify(hs), { ok: false, reason: 'algorithm' });

    const attacker = await generateKeyPair('RS256');
    assert.deepEqual(await v.verify(await entra.mint({}, { key: attacker.privateKey })), { ok: false, reason: 'signature' });
    assert.deepEqual(await v.verify(await entra.mint({}, { key: attacker.privateKey, kid: 'unknown-kid' })), { ok: false, reason: 'signature' });

    const tampered = `${header}.${b64({ ...claims, oid: '00000000-0000-4000-8000-000000000666', aud: webhookAudience })}.${valid.split('.')[2]}`;
    assert.deepEqual(await v.verify(tampered), { ok: false, reason: 'signature' });

    for (const junk of ['', 'abc', 'a.b', 'a.b.c', `${header}.${payload}`, 'x'.repeat(20_000)]) {
      assert.deepEqual(await v.verify(junk), { ok: false, reason: 'malformed' }, junk.slice(0, 20));
    }
  });

  test('metadata and keys are fetched once and cached; an unknown key id (rotation) fetches the keys again', async () => {
    const local = await startFakeEntra(entra.tenantId);
    try {
      const v = createEntraTokenVerifier({ ...options(), openIdConfigUrl: local.openIdConfigUrl, keysCooldownMs: 0 });
      for (let i = 0; i < 3; i += 1) assert.equal((await v.verify(await local.mint())).ok, true);
      assert.equal(local.fetches('metadata'), 1);
      assert.equal(local.fetches('keys'), 1);
      await local.rotate();
      assert.equal((await v.verify(await local.mint())).ok, true);
      assert.equal(local.fetches('keys'), 2);
    } finally {
      await local.close();
    }
  });

  test('when the metadata cannot be read every token is refused, and it is tried again later', async () => {
    const local = await startFakeEntra(entra.tenantId);
    try {
      const v = createEntraTokenVerifier({ ...options(), openIdConfigUrl: local.openIdConfigUrl });
      local.failWith(503);
      assert.deepEqual(await v.verify(await local.mint()), { ok: false, reason: 'keys-unavailable' });
      local.failWith(undefined);
      assert.equal((await v.verify(await local.mint())).ok, true);
    } finally {
      await local.close();
    }
  });

  test('key material must come over https, except from loopback', () => {
    assert.throws(
      () => createEntraTokenVerifier(options({ openIdConfigUrl: 'http://login.example.com/x/v2.0/.well-known/openid-configuration' })),
      (err) => isArgusError(err, 'ARGUS_CONFIG_INVALID'),
    );
    assert.doesNotThrow(() => createEntraTokenVerifier(options({ openIdConfigUrl: undefined })));
  });

  test('the webhook authenticator decides Bearer requests only, and never logs the token', async () => {
    const auth = createEntraWebhookAuthenticator(options());
    const req = (authorization?: string): HttpRequestInfo => ({
      method: 'POST',
      path: '/api/webhooks/sentinel',
      headers: { authorization },
      rawBody: Buffer.from('{}'),
      correlationId: 'c',
      receivedAt: Date.now(),
    });
    assert.equal(await auth.authenticate(req()), undefined);
    assert.equal(await auth.authenticate(req('Basic dXNlcjpwYXNz')), undefined);
    const good = await entra.mint();
    assert.deepEqual(await auth.authenticate(req(`Bearer ${good}`)), { ok: true, caller: `entra:${callerObjectId}` });
    const expired = await entra.mint({}, { shiftSeconds: -7200 });
    assert.deepEqual(await auth.authenticate(req(`bearer ${expired}`)), { ok: false, reason: 'entra-expired' });
    const text = JSON.stringify(logs.lines);
    assert.ok(!text.includes(good.split('.')[2] ?? '') && !text.includes(expired.split('.')[2] ?? ''), 'no token in the logs');
  });
});

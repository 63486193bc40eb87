import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryAuditLog } from '../../src/audit/memory-audit-log';
import { createEnvSecretProvider } from '../../src/config/secrets-env';
import { ArgusError } from '../../src/errors/catalog';
import type { HttpRequestInfo } from '../../src/ingress/http-types';
import { createUploadHandler, type Upload, type UploadSpec } from '../../src/ingress/upload-handler';
import type { WebhookAuthenticator } from '../../src/ingress/webhook-handler';
import { createLogger } from '../../src/logging/logger';
import { createArgusMetrics } from '../../src/observability/metrics';
import { signBody, signatureHeader } from '../../src/security/signature';

const secret = 'upload-secret';

function setup(authenticators: WebhookAuthenticator[] = []) {
  const audit = new MemoryAuditLog();
  const sampled: unknown[] = [];
  const kept: string[] = [];
  const spec: UploadSpec = {
    source: 'evidence',
    secretName: 'evidence-upload-secret',
    bodyLimitBytes: 1024,
    async receive(upload: Upload) {
      const pieces: Buffer[] = [];
      for await (const piece of upload.body) pieces.push(piece);
      await upload.authenticated();
      if (upload.query.incident === '404') throw new ArgusError('ARGUS_NOT_FOUND', 'no such incident');
      kept.push(Buffer.concat(pieces).toString());
      return { status: 201, body: { by: upload.caller } };
    },
  };
  const handler = createUploadHandler(spec, {
    secrets: createEnvSecretProvider({ ARGUS_SECRET_EVIDENCE_UPLOAD_SECRET: secret }),
    intake: { accept: async () => assert.fail('uploads are not events') },
    audit,
    metrics: createArgusMetrics(),
    logger: createLogger({ level: 'silent' }),
    authenticators,
    rejections: {
      record: async (r) => {
        sampled.push(r);
        return 'counted';
      },
    },
  });
  return { handler, audit, sampled, kept };
}

/** A request whose body arrives in pieces (and says so if it is read). */
function request(pieces: string[], headers: Record<string, string> = {}, query: Record<string, string> = {}): HttpRequestInfo & { read: () => boolean } {
  let read = false;
  async function* body() {
    read = true;
    for (const p of pieces) yield Buffer.from(p);
  }
  return { method: 'POST', path: '/api/evidence', headers, query, rawBody: Buffer.alloc(0), body: body(), correlationId: 'c-1', receivedAt: Date.now(), read: () => read };
}

test('a signature over the whole body verifies though the body arrives in pieces', async () => {
  const s = setup();
  const res = await s.handler(request(['memory', '.dmp ', 'bytes'], { [signatureHeader]: signBody(secret, 'memory.dmp bytes') }));
  assert.deepEqual([res.status, res.body], [201, { by: 'signature:evidence-upload-secret' }]);
  assert.deepEqual(s.kept, ['memory.dmp bytes']);
});

test('no, stale or wrong signature: 401 before the body is read, or at its end before anything is kept; sampled audit', async () => {
  const s = setup();
  const missing = request(['x']);
  await assert.rejects(s.handler(missing), { code: 'ARGUS_BAD_SIGNATURE' });
  assert.equal(missing.read(), false, 'a request without a signature is refused from its headers');
  const stale = request(['x'], { [signatureHeader]: signBody(secret, 'x', Date.now() - 3_600_000) });
  await assert.rejects(s.handler(stale), { code: 'ARGUS_BAD_SIGNATURE' });
  assert.equal(stale.read(), false);
  await assert.rejects(s.handler(request(['forged'], { [signatureHeader]: signBody('not-the-secret', 'forged') })), { code: 'ARGUS_BAD_SIGNATURE' });
  assert.deepEqual(s.kept, []);
  assert.equal(s.sampled.length, 3);
});

test('a proven caller learns of an unknown incident (404, audited with the caller); a token needs no signature, a denied one gets 403', async () => {
  const s = setup();
  await assert.rejects(s.handler(request(['x'], { [signatureHeader]: signBody(secret, 'x') }, { incident: '404' })), { code: 'ARGUS_NOT_FOUND' });
  const [row] = await s.audit.query({ action: 'webhook.received' });
  assert.deepEqual([row?.outcome, row?.actorId, row?.detail.reason], ['rejected', 'signature:evidence-upload-secret', 'not-found']);

  const token: WebhookAuthenticator = {
    authenticate: async (req) => (req.headers.authorization === 'Bearer good' ? { ok: true, caller: 'entra:logic-app' } : req.headers.authorization ? { ok: false, reason: 'caller-not-allowed', denied: { caller: 'entra:other' } } : undefined),
  };
  const t = setup([token]);
  const res = await t.handler(request(['package'], { authorization: 'Bearer good' }));
  assert.deepEqual([res.status, res.body], [201, { by: 'entra:logic-app' }]);
  const denied = request(['package'], { authorization: 'Bearer other' });
  await assert.rejects(t.handler(denied), { code: 'ARGUS_FORBIDDEN' });
  assert.equal(denied.read(), false);
});

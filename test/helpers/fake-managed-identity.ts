import { randomUUID } from 'node:crypto';
import { sendJson, startTestServer, type TestServer } from './http-server';

/**
 * Emulates App Service's managed-identity endpoint the way Azure does (IDENTITY_ENDPOINT +
 * IDENTITY_HEADER, api-version 2019-08-01), so the real DefaultAzureCredential code runs.
 * Tokens are unsigned JWT-shaped strings whose `aud` is the requested resource, so fake peers
 * can check that the right audience was asked for.
 */
export interface FakeManagedIdentity extends TestServer {
  /** Variables to put in process.env before creating a DefaultAzureCredential. */
  env: { IDENTITY_ENDPOINT: string; IDENTITY_HEADER: string };
  /** Resources tokens were issued for, in order. */
  issued: string[];
  /** Makes the next N token requests fail with 500. */
  failNext(n: number): void;
}

export const fakeObjectId = '11111111-2222-3333-4444-555555555555';

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function mintFakeToken(resource: string, lifetimeSeconds = 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = { aud: resource, oid: fakeObjectId, iat: now, exp: now + lifetimeSeconds, jti: randomUUID() };
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
}

/** Reads the claims of a token from the fake identity endpoint (or undefined when it is not one). */
export function decodeFakeToken(authorization: string | undefined): { aud: string; oid: string; exp: number } | undefined {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  const payload = match?.[1]?.split('.')[1];
  if (!payload) return undefined;
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { aud: string; oid: string; exp: number };
  } catch {
    return undefined;
  }
}

/** True when `authorization` carries an unexpired fake token whose audience starts with `resource`. */
export function hasTokenFor(authorization: string | undefined, resource: string): boolean {
  const claims = decodeFakeToken(authorization);
  const aud = claims?.aud.replace(/\/\.default$/, '').replace(/\/$/, '');
  return !!claims && aud === resource.replace(/\/$/, '') && claims.exp > Date.now() / 1000;
}

export async function startFakeManagedIdentity(): Promise<FakeManagedIdentity> {
  const secretHeader = randomUUID();
  const issued: string[] = [];
  let failures = 0;
  const server = await startTestServer((req, res) => {
    if (req.headers['x-identity-header'] !== secretHeader) {
      sendJson(res, 401, { error: 'invalid_request', error_description: 'missing or wrong X-IDENTITY-HEADER' });
      return;
    }
    if (failures > 0) {
      failures -= 1;
      sendJson(res, 500, { error: 'unavailable' });
      return;
    }
    const resource = req.query.get('resource');
    if (!resource) {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'resource is required' });
      return;
    }
    issued.push(resource);
    const expiresOn = Math.floor(Date.now() / 1000) + 3600;
    sendJson(res, 200, {
      access_token: mintFakeToken(resource),
      expires_on: String(expiresOn),
      resource,
      token_type: 'Bearer',
      client_id: randomUUID(),
    });
  });
  return {
    ...server,
    env: { IDENTITY_ENDPOINT: `${server.url}/msi/token`, IDENTITY_HEADER: secretHeader },
    issued,
    failNext(n: number) {
      failures = n;
    },
  };
}

import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { sendJson, startTestServer, type TestServer } from './http-server';

/**
 * The Bot Framework's token side, as a bot sees it: the channel service's OpenID metadata and
 * key set (the shapes login.botframework.com serves, keys carrying the channels they endorse),
 * with a locally minted RSA key, so tests sign activities' tokens the way the channel does.
 */
export interface FakeBotFramework extends TestServer {
  /** Configure as teams.openIdMetadataUrl. */
  openIdMetadataUrl: string;
  /** A token as the channel service sends it with an activity (merged over a valid one). */
  channelToken(claims: { aud: string; serviceurl: string } & JWTPayload): Promise<string>;
  /** A token Entra ID issued to an app (v1.0, issuer `https://sts.windows.net/<tid>/`), signed with the same key. */
  entraToken(claims: { appid: string; aud: string; tid: string } & JWTPayload): Promise<string>;
}

export const botFrameworkIssuer = 'https://api.botframework.com';

export async function startFakeBotFramework(options: { endorsements?: string[] } = {}): Promise<FakeBotFramework> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const kid = randomUUID().replace(/-/g, '').slice(0, 27);
  const jwk = { ...(await exportJWK(publicKey)), kid, x5t: kid, use: 'sig', kty: 'RSA', endorsements: options.endorsements ?? ['msteams', 'webchat', 'directline'] };
  let base = '';
  const server = await startTestServer((req, res) => {
    if (req.path === '/v1/.well-known/openidconfiguration')
      return sendJson(res, 200, {
        issuer: botFrameworkIssuer,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: `${base}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    if (req.path === '/v1/.well-known/keys') return sendJson(res, 200, { keys: [jwk] });
    sendJson(res, 404, { error: 'not_found' });
  });
  base = server.url;

  function sign(payload: JWTPayload, key: CryptoKey = privateKey): Promise<string> {
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, x5t: kid }).sign(key);
  }
  const now = () => Math.floor(Date.now() / 1000);

  return {
    ...server,
    openIdMetadataUrl: `${base}/v1/.well-known/openidconfiguration`,
    channelToken: (claims) => sign({ iss: botFrameworkIssuer, nbf: now() - 5, exp: now() + 3600, ...claims }),
    entraToken: (claims) =>
      sign({
        iss: `https://sts.windows.net/${claims.tid}/`,
        iat: now() - 5,
        nbf: now() - 5,
        exp: now() + 3600,
        aio: 'E2RgYJj8s3L8',
        appidacr: '1',
        idp: `https://sts.windows.net/${claims.tid}/`,
        oid: randomUUID(),
        sub: randomUUID(),
        ver: '1.0',
        ...claims,
      }),
  };
}

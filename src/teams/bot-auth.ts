import type { Activity } from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type Claim,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import { ArgusError } from '../errors/catalog';
import type { ServiceUrlPolicy } from './service-url-policy';

/** The issuer of every token the Bot Framework channel service (Teams included) sends a bot. */
export const channelTokenIssuer = AuthenticationConstants.ToBotFromChannelTokenIssuer;

/**
 * botbuilder sends a token whose issuer is on its Emulator list (Entra ID tenants, and any
 * tenant named by the token's own `tid`) down a path that checks neither the audience nor the
 * serviceUrl: any Entra token issued to the bot's app id would pass as Teams. Only the channel
 * service's tokens are accepted; this also refuses bot-to-bot (skill) tokens, which botbuilder
 * leaves to this hook once it is set.
 */
export async function onlyChannelTokens(claims: Claim[]): Promise<void> {
  const issuer = claims.find((c) => c.type === AuthenticationConstants.IssuerClaim)?.value;
  if (issuer !== channelTokenIssuer) throw new AuthenticationError('Unauthorized. Only tokens of the Bot Framework channel service are accepted.', 401);
}

function unverifiedIssuer(token: string): unknown {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as { iss?: unknown }).iss : undefined;
  } catch {
    return undefined;
  }
}

/** jsonwebtoken's own failures (bad signature, malformed) reach us unwrapped; they are 401s too. */
export function isTokenFailure(err: unknown): boolean {
  if (err instanceof AuthenticationError) return err.statusCode === 401;
  const name = err instanceof Error ? err.name : '';
  return name === 'JsonWebTokenError' || name === 'TokenExpiredError' || name === 'NotBeforeError';
}

/** An authentication failure as the catalog's error: 401 for a bad token, 503 when the signing keys could not be loaded. */
export function authFailure(err: unknown): ArgusError {
  if (isTokenFailure(err)) return new ArgusError('ARGUS_UNAUTHENTICATED', undefined, { cause: err });
  return new ArgusError('ARGUS_DEPENDENCY_UNAVAILABLE', 'the Bot Framework signing keys could not be loaded', { cause: err });
}

/**
 * Verifies a Teams token from the headers alone (issuer, signature, audience, lifetime and the
 * key's `msteams` endorsement), so a request without one costs no body read or JSON parse.
 * botbuilder verifies it again with the activity (its serviceUrl claim) before the turn runs.
 */
export async function verifyTeamsToken(auth: BotFrameworkAuthentication, authorization: string | undefined): Promise<void> {
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new ArgusError('ARGUS_UNAUTHENTICATED', 'expected Authorization: Bearer <Bot Framework token>');
  // Checked before botbuilder sees it: an Emulator-issued token would make it fetch Entra's keys.
  if (unverifiedIssuer(token) !== channelTokenIssuer) throw new ArgusError('ARGUS_UNAUTHENTICATED', 'the token is not from the Bot Framework channel service');
  try {
    await auth.authenticateStreamingRequest(`Bearer ${token}`, 'msteams');
  } catch (err) {
    throw authFailure(err);
  }
}

/**
 * Wraps the bot's authentication so every Bot Connector client (the reply to an inbound turn,
 * a proactive send, a created conversation) is made only for an allowed serviceUrl.
 */
export class GuardedBotFrameworkAuthentication extends BotFrameworkAuthentication {
  constructor(
    private readonly inner: BotFrameworkAuthentication,
    private readonly serviceUrls: ServiceUrlPolicy,
  ) {
    super();
  }

  async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await this.inner.authenticateRequest(activity, authHeader);
    return { ...result, connectorFactory: result.connectorFactory && this.guard(result.connectorFactory) };
  }

  authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.inner.authenticateStreamingRequest(authHeader, channelIdHeader);
  }

  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.guard(this.inner.createConnectorFactory(claimsIdentity));
  }

  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }

  override getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.inner.authenticateChannelRequest(authHeader);
  }

  private guard(factory: ConnectorFactory): ConnectorFactory {
    const serviceUrls = this.serviceUrls;
    return new (class extends ConnectorFactory {
      async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
        serviceUrls.assert(serviceUrl, 'Bot Connector call');
        return factory.create(serviceUrl, audience);
      }
    })();
  }
}

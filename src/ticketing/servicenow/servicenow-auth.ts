import { z } from 'zod';
import { ArgusError } from '../../errors/catalog';
import { secretNames, type SecretProvider } from '../../config/secret-provider';
import { ItsmCallError, type ItsmRequester } from '../itsm-http';

/**
 * ServiceNow credentials: basic auth (username + secret servicenow-password) or OAuth client
 * credentials against /oauth_token.do (clientId + secret servicenow-client-secret). Tokens are
 * cached until shortly before they expire; a 401 asks for a fresh one (or re-reads the rotated
 * password) once.
 */
export interface ServiceNowAuthOptions {
  auth: 'basic' | 'oauth';
  username?: string;
  clientId?: string;
  secrets: SecretProvider;
  /** Requester for the token endpoint (anonymous calls). */
  tokenRequester: () => ItsmRequester;
  now?: () => number;
}

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.union([z.number(), z.string()]).optional() });

export function createServiceNowAuth(options: ServiceNowAuthOptions): (o: { refresh: boolean }) => Promise<string> {
  const now = options.now ?? Date.now;
  let cached: { token: string; until: number } | undefined;

  async function basic(refresh: boolean): Promise<string> {
    if (refresh) options.secrets.invalidate(secretNames.servicenowPassword);
    const password = await options.secrets.require(secretNames.servicenowPassword);
    return `Basic ${Buffer.from(`${options.username ?? ''}:${password}`, 'utf8').toString('base64')}`;
  }

  async function oauth(refresh: boolean): Promise<string> {
    if (!refresh && cached && cached.until > now()) return `Bearer ${cached.token}`;
    if (refresh) options.secrets.invalidate(secretNames.servicenowClientSecret);
    const clientSecret = await options.secrets.require(secretNames.servicenowClientSecret);
    const res = await options.tokenRequester()({
      method: 'POST',
      path: '/oauth_token.do',
      form: { grant_type: 'client_credentials', client_id: options.clientId ?? '', client_secret: clientSecret },
      anonymous: true,
      // Asking for a token twice is harmless.
      idempotent: true,
    });
    const parsed = tokenSchema.safeParse(res.data);
    if (!parsed.success) throw new ItsmCallError('servicenow answered the token request without an access_token', { peer: 'servicenow', transient: false });
    const lifetime = Number(parsed.data.expires_in ?? 1800);
    // Renew a minute early so a token never expires in flight.
    cached = { token: parsed.data.access_token, until: now() + Math.max(30, lifetime - 60) * 1000 };
    return `Bearer ${cached.token}`;
  }

  return async ({ refresh }) => {
    if (options.auth === 'basic') return basic(refresh);
    if (options.auth === 'oauth') return oauth(refresh);
    throw new ArgusError('ARGUS_CONFIG_INVALID', 'itsm.servicenow.auth must be basic or oauth');
  };
}

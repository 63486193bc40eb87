import type { TokenCredential } from '@azure/identity';
import { Client, GraphError } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { defaultGraphScope } from '../access/graph-group-checker';
import type { Logger } from '../logging/logger';

/**
 * Who a Teams user is in the ITSM. Teams activities carry the Entra object id but not the email,
 * so the email comes from (1) the config mapping `itsm.emails` (users of other tenants, whom our
 * Graph cannot see, and people whose ITSM account uses another address), then (2) Microsoft Graph
 * `GET /users/{id}?$select=mail,userPrincipalName` for home-tenant users (User.Read.All, which
 * role resolution already needs), cached for an hour.
 */
export type EmailLookup = { ok: true; email: string; source: 'config' | 'graph' } | { ok: false; reason: string };

export interface UserEmailResolver {
  emailOf(user: { aadObjectId?: string; tenantId?: string }): Promise<EmailLookup>;
}

export interface UserEmailOptions {
  homeTenantId: string;
  emails: Record<string, string>;
  graph?: { endpoint: string; scope?: string; credential: () => TokenCredential };
  logger?: Logger;
  ttlMs?: number;
  now?: () => number;
}

const objectIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createUserEmailResolver(options: UserEmailOptions): UserEmailResolver {
  const now = options.now ?? Date.now;
  const ttl = options.ttlMs ?? 3_600_000;
  const mapping = new Map(Object.entries(options.emails).map(([id, email]) => [id.toLowerCase(), email]));
  const cache = new Map<string, { value: EmailLookup; until: number }>();
  let client: Client | undefined;

  function graphClient(): Client | undefined {
    if (!options.graph) return undefined;
    if (!client) {
      const endpoint = new URL(options.graph.endpoint);
      const authProvider = new TokenCredentialAuthenticationProvider(options.graph.credential(), { scopes: [options.graph.scope ?? defaultGraphScope] });
      client = Client.initWithMiddleware({ authProvider, baseUrl: endpoint.origin, defaultVersion: 'v1.0', customHosts: new Set([endpoint.hostname]) });
    }
    return client;
  }

  async function fromGraph(objectId: string): Promise<EmailLookup> {
    const graph = graphClient();
    if (!graph) return { ok: false, reason: 'Microsoft Graph is not configured and itsm.emails has no entry for you' };
    try {
      const user = (await graph.api(`/users/${encodeURIComponent(objectId)}`).select(['mail', 'userPrincipalName']).get()) as { mail?: unknown; userPrincipalName?: unknown };
      const email = typeof user.mail === 'string' && user.mail ? user.mail : typeof user.userPrincipalName === 'string' ? user.userPrincipalName : undefined;
      return email ? { ok: true, email, source: 'graph' } : { ok: false, reason: 'your directory entry has no mail or user principal name' };
    } catch (err) {
      if (err instanceof GraphError && err.statusCode === 404) return { ok: false, reason: 'you are not in the directory; ask an admin to add you to itsm.emails' };
      options.logger?.warn({ err, objectId }, 'could not read a user email from Microsoft Graph');
      return { ok: false, reason: 'Microsoft Graph did not answer; try again later' };
    }
  }

  return {
    async emailOf(user) {
      const id = user.aadObjectId?.toLowerCase();
      if (!id || !objectIdPattern.test(id)) return { ok: false, reason: 'Teams did not say who you are' };
      const mapped = mapping.get(id);
      if (mapped) return { ok: true, email: mapped, source: 'config' };
      // Other tenants' users are not in our directory: only the config mapping may name them.
      if (user.tenantId && user.tenantId.toLowerCase() !== options.homeTenantId.toLowerCase())
        return { ok: false, reason: 'you are from another tenant; ask an admin to add you to itsm.emails' };
      const hit = cache.get(id);
      if (hit && hit.until > now()) return hit.value;
      const value = await fromGraph(id);
      // Failures are not cached for long: Graph may be back in a minute.
      cache.set(id, { value, until: now() + (value.ok ? ttl : Math.min(ttl, 60_000)) });
      return value;
    },
  };
}

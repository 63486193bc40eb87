import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { createFakeDrive, type FakeDrive, type FakeDriveOptions } from './fake-graph-drive';
import { hasTokenFor, startFakeManagedIdentity, type FakeManagedIdentity } from './fake-managed-identity';
import { sendJson, type RecordedRequest, type TestServer } from './http-server';
import { createTestCertificate, startHttpsTestServer, trustCertificateInFetch, type TestCertificate } from './tls';

/**
 * Microsoft Graph's `POST /v1.0/users/{id}/checkMemberGroups`, over HTTPS (the Graph client only
 * sends its token to https URLs). Membership is transitive, as in Entra: a group's members may be
 * users or other groups. Tokens must be for https://graph.microsoft.com.
 */
export interface FakeGraphDirectory {
  users: string[];
  /** group id → member ids (users or groups). */
  groups: Record<string, string[]>;
  /** What `GET /v1.0/users/{id}` answers per user (mail, userPrincipalName); users without one are 404. */
  profiles?: Record<string, { mail?: string | null; userPrincipalName: string }>;
  /** A SharePoint document library (card layouts), see fake-graph-drive.ts. */
  drive?: FakeDriveOptions;
}

export interface FakeGraph extends TestServer {
  endpoint: string;
  /** checkMemberGroups calls that were answered 200, with the user and the group ids asked. */
  checks(): Array<{ userId: string; groupIds: string[]; at: number }>;
  /** All checkMemberGroups requests, whatever the answer. */
  attempts(): RecordedRequest[];
  /** The next `count` checkMemberGroups requests fail with `status` (503 or 429). */
  failNext(count: number, status: 429 | 503, retryAfterSeconds?: number): void;
  /** The next `count` checkMemberGroups requests get no answer (until the server closes). */
  stallNext(count: number): void;
  /** The document library, when `directory.drive` was given. */
  drive?: FakeDrive;
}

export const graphResource = 'https://graph.microsoft.com';

function graphError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const innerError = { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': randomUUID(), 'client-request-id': randomUUID() };
  sendJson(res, status, { error: { code, message, innerError } }, headers);
}

export async function startFakeGraph(options: { certificate: TestCertificate; directory: FakeGraphDirectory }): Promise<FakeGraph> {
  const users = new Set(options.directory.users.map((u) => u.toLowerCase()));
  const members = new Map(Object.entries(options.directory.groups).map(([g, list]) => [g.toLowerCase(), list.map((m) => m.toLowerCase())]));
  const answered: Array<{ userId: string; groupIds: string[]; at: number }> = [];
  let failure: { count: number; status: 429 | 503; retryAfterSeconds?: number } = { count: 0, status: 503 };
  let stalls = 0;

  const isMember = (objectId: string, groupId: string, seen = new Set<string>()): boolean => {
    if (seen.has(groupId)) return false;
    seen.add(groupId);
    const list = members.get(groupId) ?? [];
    return list.includes(objectId) || list.some((m) => members.has(m) && isMember(objectId, m, seen));
  };
  const route = /^\/v1\.0\/users\/([^/]+)\/checkMemberGroups$/;
  const userRoute = /^\/v1\.0\/users\/([^/]+)$/;
  const profiles = new Map(Object.entries(options.directory.profiles ?? {}).map(([id, p]) => [id.toLowerCase(), p]));

  const drive = options.directory.drive && createFakeDrive(options.directory.drive);
  const server = await startHttpsTestServer((req, res) => {
    if (drive?.handle(req, res, server.url)) return;
    const userMatch = req.method === 'GET' ? userRoute.exec(req.path) : null;
    if (userMatch?.[1]) {
      if (!hasTokenFor(req.headers.authorization, graphResource)) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
      const id = decodeURIComponent(userMatch[1]).toLowerCase();
      const profile = profiles.get(id);
      if (!profile) return graphError(res, 404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
      const select = (req.query.get('$select') ?? 'id,mail,userPrincipalName').split(',');
      const full: Record<string, unknown> = { id, mail: profile.mail ?? null, userPrincipalName: profile.userPrincipalName };
      return sendJson(res, 200, {
        '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#users(${select.join(',')})/$entity`,
        ...Object.fromEntries(select.filter((k) => k in full).map((k) => [k, full[k]])),
      });
    }
    const match = route.exec(req.path);
    if (req.method !== 'POST' || !match?.[1]) {
      graphError(res, 400, 'BadRequest', `Resource not found for the segment '${req.path.split('/').pop() ?? ''}'.`);
      return;
    }
    if (!req.headers.authorization) {
      graphError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
      return;
    }
    if (!hasTokenFor(req.headers.authorization, graphResource)) {
      graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
      return;
    }
    if (stalls > 0) {
      stalls -= 1;
      return;
    }
    if (failure.count > 0) {
      failure.count -= 1;
      const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
      if (failure.status === 429) graphError(res, 429, 'TooManyRequests', 'Too many requests.', headers);
      else graphError(res, 503, 'serviceNotAvailable', 'Service unavailable.', headers);
      return;
    }
    const body = req.json as { groupIds?: unknown } | undefined;
    const groupIds = body?.groupIds;
    if (!Array.isArray(groupIds) || groupIds.some((id) => typeof id !== 'string')) {
      graphError(res, 400, 'Request_BadRequest', "Invalid request: 'groupIds' must be a collection of strings.");
      return;
    }
    if (groupIds.length > 20) {
      graphError(res, 400, 'Request_BadRequest', 'The number of groupIds must not exceed 20.');
      return;
    }
    const userId = decodeURIComponent(match[1]).toLowerCase();
    if (!users.has(userId)) {
      graphError(res, 404, 'Request_ResourceNotFound', `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`);
      return;
    }
    answered.push({ userId, groupIds: groupIds as string[], at: Date.now() });
    sendJson(res, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)',
      value: (groupIds as string[]).filter((id) => isMember(userId, id.toLowerCase())),
    });
  }, options.certificate);

  return {
    ...server,
    endpoint: server.url,
    drive,
    checks: () => answered,
    attempts: () => server.requests.filter((r) => route.test(r.path)),
    failNext(count, status, retryAfterSeconds) {
      failure = { count, status, retryAfterSeconds };
    },
    stallNext(count) {
      stalls = count;
    },
  };
}

export interface GraphTestbed {
  graph: FakeGraph;
  identity: FakeManagedIdentity;
  /** A real DefaultAzureCredential, answered by the fake managed identity. */
  credential: TokenCredential;
  close(): Promise<void>;
}

/**
 * Everything a Graph test needs: a certificate this process's fetch trusts, the fake managed
 * identity in IDENTITY_ENDPOINT/IDENTITY_HEADER, a real credential, and the fake Graph.
 * close() restores the environment and fetch's trust.
 */
export async function startGraphTestbed(directory: FakeGraphDirectory): Promise<GraphTestbed> {
  const certificate = createTestCertificate();
  const restoreFetch = await trustCertificateInFetch(certificate);
  const identity = await startFakeManagedIdentity();
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  Object.assign(process.env, identity.env);
  const credential = new DefaultAzureCredential();
  const graph = await startFakeGraph({ certificate, directory });
  return {
    graph,
    identity,
    credential,
    async close() {
      restoreFetch();
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await graph.close();
      await identity.close();
      certificate.remove();
    },
  };
}

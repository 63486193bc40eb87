import type { TokenCredential } from '@azure/identity';
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { defaultGraphScope } from '../access/graph-group-checker';
import type { SharePointLayoutsSettings } from '../config/cards-schema';

/** One file of the layouts folder, as Graph reports it. */
export type DriveFile =
  | { kind: 'unchanged' }
  | { kind: 'missing' }
  | { kind: 'file'; eTag: string; size: number; content(): Promise<string> }
  | { kind: 'error'; status: number; message: string };

/** Reads files of one SharePoint folder; `knownETag` lets Graph answer 304 when nothing changed. */
export interface DriveReader {
  read(name: string, knownETag?: string): Promise<DriveFile>;
}

/** A Graph GET returning the raw response (statuses are the caller's business); the Graph client in the service, a stub in unit tests. */
export type GraphGet = (path: string, headers: Record<string, string>) => Promise<Response>;

export function graphGet(options: { endpoint: string; scope?: string; credential: () => TokenCredential }): GraphGet {
  let client: Client | undefined;
  return (path, headers) => {
    if (!client) {
      const endpoint = new URL(options.endpoint);
      const authProvider = new TokenCredentialAuthenticationProvider(options.credential(), { scopes: [options.scope ?? defaultGraphScope] });
      client = Client.initWithMiddleware({ authProvider, baseUrl: endpoint.origin, defaultVersion: 'v1.0', customHosts: new Set([endpoint.hostname]) });
    }
    return client.api(path).headers(headers).responseType(ResponseType.RAW).get() as Promise<Response>;
  };
}

async function graphMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    if (message) return `${String(message.code)}: ${String(message.message)}`;
  } catch {
    // not a Graph error body
  }
  return res.statusText || `HTTP ${res.status}`;
}

/**
 * Files of `folder` in the site's default document library (or `driveId`):
 * `GET /sites/{siteId}/drive/root:/{folder}/{name}` gives the driveItem with its eTag (304 with a
 * matching If-None-Match), then `GET …/items/{id}/content` the bytes (a 302 to a pre-authenticated
 * download URL, which the Graph client follows without the token). The eTag is read before the
 * content, so a file changed in between is read again at the next refresh, never missed.
 */
export function createDriveReader(settings: Pick<SharePointLayoutsSettings, 'siteId' | 'driveId' | 'folder'>, get: GraphGet): DriveReader {
  const drive = settings.driveId ? `/drives/${encodeURIComponent(settings.driveId)}` : `/sites/${encodeURIComponent(settings.siteId)}/drive`;
  const folder = settings.folder.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return {
    async read(name, knownETag) {
      const res = await get(`${drive}/root:/${folder}/${encodeURIComponent(name)}?$select=id,eTag,size,file`, knownETag ? { 'If-None-Match': knownETag } : {});
      if (res.status === 304) return { kind: 'unchanged' };
      if (res.status === 404) return { kind: 'missing' };
      if (!res.ok) return { kind: 'error', status: res.status, message: await graphMessage(res) };
      const item = (await res.json()) as { id?: unknown; eTag?: unknown; size?: unknown; file?: unknown };
      if (typeof item.id !== 'string' || typeof item.eTag !== 'string' || !item.file) return { kind: 'error', status: res.status, message: `${name} is not a file` };
      // Some gateways ignore If-None-Match: the same eTag means the same file all the same.
      if (item.eTag === knownETag) return { kind: 'unchanged' };
      const id = item.id;
      return {
        kind: 'file',
        eTag: item.eTag,
        size: typeof item.size === 'number' ? item.size : 0,
        async content() {
          const body = await get(`${drive}/items/${encodeURIComponent(id)}/content`, {});
          if (!body.ok) throw new Error(`reading ${name}: ${await graphMessage(body)}`);
          return body.text();
        },
      };
    },
  };
}

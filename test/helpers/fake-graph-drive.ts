import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { builtinLayouts } from '../../src/cards/layouts';
import { hasTokenFor } from './fake-managed-identity';
import { sendJson, type RecordedRequest } from './http-server';

/**
 * A SharePoint document library as Microsoft Graph serves it: `GET /v1.0/sites/{siteId}/drive/root:/{path}`
 * (or `/drives/{driveId}/root:/{path}`) answers the driveItem (`eTag` `"{GUID},N"`, 304 when
 * If-None-Match matches, 404 itemNotFound), `GET …/items/{id}/content` a 302 to a pre-authenticated
 * download URL that needs no token. A site the app was not granted (Sites.Selected) answers 403.
 */
export interface FakeDriveOptions {
  siteId: string;
  driveId?: string;
  /** Path in the library (`argus-cards/incident.json`) → file content. */
  files?: Record<string, string>;
  /** False: the app has no Sites.Selected grant on the site. */
  granted?: boolean;
}

export interface FakeDrive {
  handle(req: RecordedRequest, res: ServerResponse, baseUrl: string): boolean;
  /** Uploads a new version (a new eTag) of `path`, or deletes it with undefined. */
  put(path: string, content: string | undefined): void;
  eTagOf(path: string): string | undefined;
}

interface Item {
  id: string;
  guid: string;
  version: number;
  content: string;
}

function graphError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } });
}

const eTag = (item: Item) => `"{${item.guid}},${item.version}"`;

export function createFakeDrive(options: FakeDriveOptions): FakeDrive {
  const items = new Map<string, Item>();
  const downloads = new Map<string, Item>();
  const put = (path: string, content: string | undefined) => {
    const key = path.toLowerCase();
    const old = items.get(key);
    if (content === undefined) items.delete(key);
    else if (old) items.set(key, { ...old, version: old.version + 1, content });
    else {
      const guid = randomUUID().toUpperCase();
      items.set(key, { id: `01${guid.replace(/-/g, '').slice(0, 32)}`, guid, version: 1, content });
    }
  };
  for (const [path, content] of Object.entries(options.files ?? {})) put(path, content);
  const drivePrefixes = [`/v1.0/sites/${options.siteId}/drive`, ...(options.driveId ? [`/v1.0/drives/${options.driveId}`] : [])].map((p) => p.toLowerCase());

  return {
    put,
    eTagOf: (path) => {
      const item = items.get(path.toLowerCase());
      return item && eTag(item);
    },
    handle(req, res, baseUrl) {
      if (req.method !== 'GET') return false;
      const path = decodeURIComponent(req.path);
      if (path === '/_layouts/15/download.aspx') {
        const item = downloads.get(req.query.get('tempauth') ?? '');
        if (!item) graphError(res, 401, 'unauthenticated', 'The download link has expired.');
        else {
          res.writeHead(200, { 'content-type': 'application/octet-stream', etag: eTag(item) });
          res.end(item.content);
        }
        return true;
      }
      if (!path.startsWith('/v1.0/sites/') && !path.startsWith('/v1.0/drives/')) return false;
      if (!hasTokenFor(req.headers.authorization, 'https://graph.microsoft.com')) {
        graphError(res, 401, 'InvalidAuthenticationToken', 'Access token validation failure.');
        return true;
      }
      const prefix = drivePrefixes.find((p) => path.toLowerCase().startsWith(p));
      if (!prefix || options.granted === false) {
        graphError(res, 403, 'accessDenied', 'Access denied');
        return true;
      }
      const rest = path.slice(prefix.length);
      const byPath = /^\/root:\/(.+)$/.exec(rest);
      const byId = /^\/items\/([^/]+)\/content$/.exec(rest);
      const item = byPath?.[1] ? items.get(byPath[1].replace(/:$/, '').toLowerCase()) : [...items.values()].find((i) => i.id === byId?.[1]);
      if (!byPath && !byId) graphError(res, 400, 'invalidRequest', 'Invalid request');
      else if (!item) graphError(res, 404, 'itemNotFound', 'The resource could not be found.');
      else if (byId) {
        const tempauth = randomUUID();
        downloads.set(tempauth, item);
        res.writeHead(302, { location: `${baseUrl}/_layouts/15/download.aspx?UniqueId=${item.guid}&Translate=false&tempauth=${tempauth}&ApiVersion=2.0` });
        res.end();
      } else if (req.headers['if-none-match'] === eTag(item)) {
        res.writeHead(304, { etag: eTag(item) });
        res.end();
      } else {
        const full: Record<string, unknown> = { id: item.id, eTag: eTag(item), cTag: `"c:{${item.guid}},${item.version}"`, name: byPath?.[1]?.split('/').pop(), size: Buffer.byteLength(item.content), file: { mimeType: 'application/json' } };
        const select = req.query.get('$select')?.split(',') ?? Object.keys(full);
        sendJson(res, 200, {
          '@odata.context': `https://graph.microsoft.com/v1.0/$metadata#sites('${options.siteId}')/drive/root/$entity`,
          ...Object.fromEntries(select.filter((k) => k in full).map((k) => [k, full[k]])),
        });
      }
      return true;
    },
  };
}

/** The SharePoint site the layout tests keep their layouts in. */
export const layoutSiteId = 'contoso.sharepoint.com,2c712604-1370-44e7-a1f5-426573b7e0d3,aa1b2c3d-0000-4000-8000-000000000001';
/** The text `markedIncidentLayout` adds, to tell its cards from the built-in layout's. */
export const layoutMarker = 'Layout kept in SharePoint';

/** The built-in incident layout with one more TextBlock on top (`layoutMarker`), as JSON. */
export function markedIncidentLayout(): string {
  const json = structuredClone(builtinLayouts.incident) as { body: unknown[] };
  json.body.unshift({ type: 'TextBlock', text: layoutMarker, wrap: true });
  return JSON.stringify(json);
}

import type { ServerResponse } from 'node:http';
import { createFakeDrive, type FakeDrive, type FakeDriveOptions } from '../../helpers/fake-graph-drive';
import type { GraphGet } from '../../../src/layouts/drive-reader';

/** A token the fake accepts (what fake-managed-identity issues: an unsigned JWT for Graph). */
function fakeGraphToken(): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part({ aud: 'https://graph.microsoft.com', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}

/**
 * The fake document library answered in process: each GET goes to its handler as a request would,
 * and a 302 is followed as the Graph client follows it. Records every request's path and headers.
 */
export function driveStub(options: FakeDriveOptions): { drive: FakeDrive; get: GraphGet; seen: Array<{ path: string; headers: Record<string, string> }> } {
  const drive = createFakeDrive(options);
  const seen: Array<{ path: string; headers: Record<string, string> }> = [];
  const base = 'https://graph.test';
  const answer = (url: URL, headers: Record<string, string>): Response => {
    let status = 0;
    let head: Record<string, string> = {};
    let body = '';
    const res = {
      writeHead(s: number, h: Record<string, string> = {}) {
        status = s;
        head = h;
      },
      end(b?: string) {
        body = b ?? '';
      },
    } as unknown as ServerResponse;
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (!drive.handle({ method: 'GET', path: url.pathname, query: url.searchParams, headers: { authorization: fakeGraphToken(), ...lower }, body: '' }, res, base)) throw new Error(`no route for ${url.pathname}`);
    return new Response(status === 304 || status === 302 ? null : body, { status, headers: head });
  };
  const get: GraphGet = async (path, headers) => {
    seen.push({ path, headers });
    let res = answer(new URL(`/v1.0${path}`, base), headers);
    if (res.status === 302) res = answer(new URL(res.headers.get('location') ?? ''), {});
    return res;
  };
  return { drive, get, seen };
}

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import restify, { type Request, type Response, type Server } from 'restify';
import { ArgusError, toArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import type { HttpRequestInfo, HttpResult, RouteDefinition } from './http-types';
import { isLoopbackHostHeader } from '../net/loopback';
import { readRawBody, streamBody } from './raw-body';

export interface HttpServerOptions {
  logger: Logger;
  routes: RouteDefinition[];
  bodyLimitBytes: number;
  /**
   * Answer only requests whose Host header names loopback (dev mode: no authentication, so a web
   * page whose DNS name was rebound to 127.0.0.1 must not be able to drive Argus).
   */
  loopbackHostOnly?: boolean;
  /** Counts requests in flight; made before the server by whoever watches the load (the intake). */
  requests?: RequestCounter;
}

export interface RequestCounter {
  inFlight: number;
}

export interface HttpServer {
  listen(port: number, host: string): Promise<{ url: string; port: number }>;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
  readonly inFlight: number;
}

function headerMap(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function send(res: Response, result: HttpResult, correlationId: string): void {
  res.setHeader('x-correlation-id', correlationId);
  for (const [k, v] of Object.entries(result.headers ?? {})) res.setHeader(k, v);
  if (result.text !== undefined) {
    res.writeHead(result.status, { 'content-type': result.contentType ?? 'text/plain; charset=utf-8' });
    res.end(result.text);
    return;
  }
  if (result.body === undefined) {
    res.writeHead(result.status);
    res.end();
    return;
  }
  res.writeHead(result.status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(result.body));
}

/** The query string's parameters, first value of each name (restify's queryParser is not used). */
function queryOf(url: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const q = url?.indexOf('?') ?? -1;
  if (!url || q < 0) return out;
  for (const [k, v] of new URLSearchParams(url.slice(q + 1))) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

/**
 * The restify front door. Bodies are read raw (with the size limit) so that signatures can be
 * verified over the exact bytes before anything is parsed; every error becomes the JSON error
 * shape from the catalog, and nothing thrown by a handler reaches the process.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger } = options;
  const server: Server = restify.createServer({ name: 'argus', handleUncaughtExceptions: false });
  const requests = options.requests ?? { inFlight: 0 };
  let closing = false;

  if (options.loopbackHostOnly)
    server.pre((req: Request, res: Response, next: (proceed?: boolean) => void) => {
      if (isLoopbackHostHeader(req.headers.host)) return next();
      const correlationId = randomUUID();
      logger.warn({ correlationId, host: String(req.headers.host ?? '').slice(0, 100), path: req.path?.() }, 'request refused: Host is not loopback (dev mode)');
      res.setHeader('connection', 'close');
      send(res, { status: 403, body: new ArgusError('ARGUS_HOST_NOT_ALLOWED').toJSON() }, correlationId);
      return next(false);
    });

  for (const route of options.routes) {
    const register = route.method === 'GET' ? server.get.bind(server) : server.post.bind(server);
    register(route.path, async (req: Request, res: Response) => {
      const correlationId = typeof req.headers['x-correlation-id'] === 'string' && /^[\w.-]{1,100}$/.test(req.headers['x-correlation-id'])
        ? req.headers['x-correlation-id']
        : randomUUID();
      const log = logger.child({ correlationId, route: route.path });
      requests.inFlight += 1;
      let bodyRead = !route.readsBody;
      try {
        if (closing) throw new ArgusError('ARGUS_SHUTTING_DOWN');
        const head = {
          method: req.method ?? route.method,
          path: route.path,
          headers: headerMap(req),
          query: queryOf(req.url),
          params: { ...((req.params ?? {}) as Record<string, string>) },
          correlationId,
          receivedAt: Date.now(),
          remoteAddress: req.socket?.remoteAddress,
        };
        await route.admit?.(head);
        const limit = route.bodyLimitBytes ?? options.bodyLimitBytes;
        if (route.streamsBody) {
          const body = streamBody(req, limit);
          let result: HttpResult;
          try {
            result = await route.handler({ ...head, rawBody: Buffer.alloc(0), body: body.chunks, receivedAt: Date.now() });
          } finally {
            bodyRead = body.consumed();
          }
          // Answered without reading the whole body (refused from the query or the headers): do not reuse the connection.
          if (!bodyRead) res.setHeader('connection', 'close');
          send(res, result, correlationId);
          return;
        }
        const rawBody = route.readsBody ? await readRawBody(req, limit) : Buffer.alloc(0);
        bodyRead = true;
        const info: HttpRequestInfo = { ...head, rawBody, receivedAt: Date.now() };
        send(res, await route.handler(info), correlationId);
      } catch (err) {
        const e = toArgusError(err);
        if (e.status >= 500) log.error({ err }, 'request failed');
        else log.info({ code: e.code, status: e.status }, 'request refused');
        // A body left unread (refused before or while reading it) is not drained: the connection closes.
        if (!bodyRead) res.setHeader('connection', 'close');
        if (!res.headersSent) send(res, { status: e.status, body: e.toJSON() }, correlationId);
      } finally {
        requests.inFlight -= 1;
      }
    });
  }

  server.on('NotFound', (_req: Request, res: Response) => {
    send(res, { status: 404, body: new ArgusError('ARGUS_NOT_FOUND').toJSON() }, randomUUID());
  });
  server.on('MethodNotAllowed', (_req: Request, res: Response) => {
    send(res, { status: 405, body: new ArgusError('ARGUS_BAD_REQUEST', 'method not allowed').toJSON() }, randomUUID());
  });

  return {
    get inFlight() {
      return requests.inFlight;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address() as AddressInfo;
          const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
          resolve({ url: `http://${shownHost}:${addr.port}`, port: addr.port });
        });
      });
    },
    async close() {
      closing = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive sockets would hold close() open; busy ones finish first.
        server.server.closeIdleConnections?.();
      });
      const deadline = Date.now() + 10_000;
      while (requests.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

/** What a route handler sees of a request: no restify or node types past this point. */
export interface HttpRequestInfo {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  rawBody: Buffer;
  /** Parameters of the query string (the first value of each name). */
  query?: Record<string, string>;
  /** Parameters of the route's path (`/reports/:id` → `{ id }`). */
  params?: Record<string, string>;
  /** A route that streams its body (`streamsBody`) reads it here, as it arrives, within its limit; `rawBody` is then empty. */
  body?: AsyncIterable<Buffer>;
  correlationId: string;
  receivedAt: number;
  /** The connection's peer address (behind a proxy: the proxy's), for counting rejections per caller. */
  remoteAddress?: string;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  /** Sent as-is with this content type instead of JSON (bytes for binary content such as a PDF). */
  text?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (req: HttpRequestInfo) => Promise<HttpResult>;

export interface RouteDefinition {
  method: 'GET' | 'POST';
  path: string;
  /** Whether the route reads a body (POST routes do). */
  readsBody: boolean;
  /** Hand the handler the body as a stream (`body`) instead of reading it whole first (uploads). */
  streamsBody?: boolean;
  /** This route's body limit in bytes (default: the server's). */
  bodyLimitBytes?: number;
  /** Checks on the headers alone, before the body is read: a refusal here costs no body read or parse. */
  admit?: (req: Omit<HttpRequestInfo, 'rawBody' | 'body'>) => Promise<void>;
  handler: RouteHandler;
}

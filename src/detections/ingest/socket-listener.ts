import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { StreamItem } from '../json-stream';

/** One newline-delimited JSON line (or datagram line) turned into an event or an error. */
export type LineHandler = (item: StreamItem, source: string) => void | Promise<void>;

/** Lines longer than this are refused (and skipped up to the next newline). */
export const maxLineBytes = 1024 * 1024;

export interface ListenTarget {
  protocol: 'tcp' | 'udp';
  host: string;
  port: number;
}

export function parseListenUrl(text: string): ListenTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`'${text}' is not a URL like tcp://127.0.0.1:5140`);
  }
  const protocol = u.protocol.replace(':', '');
  if (protocol !== 'tcp' && protocol !== 'udp') throw new Error(`--listen takes tcp:// or udp://, not ${u.protocol}//`);
  if (!u.hostname || !u.port) throw new Error(`--listen needs a host and a port, e.g. ${protocol}://127.0.0.1:5140`);
  if (u.pathname && u.pathname !== '/') throw new Error('--listen takes no path');
  return { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function lineItem(line: string, index: number, lineNo: number): StreamItem {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'error', index, line: lineNo, message: 'a line must hold one JSON object' };
    return { kind: 'event', index, line: lineNo, value: value as Record<string, unknown> };
  } catch (err) {
    return { kind: 'error', index, line: lineNo, message: err instanceof Error ? err.message : String(err) };
  }
}

/** Splits a byte stream into lines, refusing over-long ones. */
class LineReader {
  private partial = '';
  private skipping = false;
  index = 0;
  lineNo = 0;

  push(text: string, out: StreamItem[]): void {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      this.lineNo++;
      if (this.skipping) {
        this.skipping = false;
        this.partial = '';
        continue;
      }
      const line = (this.partial + piece).trim();
      this.partial = '';
      if (line) out.push(lineItem(line, this.index++, this.lineNo));
    }
    if (this.skipping) return;
    this.partial += text.slice(start);
    if (this.partial.length > maxLineBytes) {
      out.push({ kind: 'error', index: this.index++, line: this.lineNo + 1, message: `a line is longer than ${maxLineBytes} bytes` });
      this.partial = '';
      this.skipping = true;
    }
  }

  end(out: StreamItem[]): void {
    const line = this.partial.trim();
    this.partial = '';
    if (line && !this.skipping) out.push(lineItem(line, this.index++, ++this.lineNo));
  }
}

export interface Listener {
  /** The bound address, e.g. `tcp://127.0.0.1:5140` (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  return isIPv6(host) ? `[${host}]` : host;
}

/**
 * TCP: each connection is a stream of JSON lines; a connection is paused while its alerts are
 * being delivered, so a slow Argus slows the sender instead of filling memory.
 */
function listenTcp(target: ListenTarget, onItem: LineHandler): Promise<Listener> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const source = `tcp://${hostForUrl(socket.remoteAddress ?? '?')}:${socket.remotePort ?? 0}`;
    const reader = new LineReader();
    let pending = 0;
    const handle = (items: StreamItem[]): void => {
      for (const item of items) {
        const p = onItem(item, source);
        if (!p) continue;
        if (pending++ === 0) socket.pause();
        void p.finally(() => {
          if (--pending === 0) socket.resume();
        });
      }
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const items: StreamItem[] = [];
      reader.push(chunk, items);
      handle(items);
    });
    socket.on('end', () => {
      const items: StreamItem[] = [];
      reader.end(items);
      handle(items);
    });
    socket.on('error', () => undefined); // a peer resetting its connection is its own business
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(target.port, target.host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : target.port;
      resolve({
        url: `tcp://${hostForUrl(target.host)}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** UDP: each datagram holds one or more JSON lines (no back-pressure is possible). */
function listenUdp(target: ListenTarget, onItem: LineHandler): Promise<Listener> {
  const socket: UdpSocket = createSocket(isIPv6(target.host) ? 'udp6' : 'udp4');
  const readers = new Map<string, LineReader>();
  socket.on('message', (msg, rinfo) => {
    const source = `udp://${hostForUrl(rinfo.address)}:${rinfo.port}`;
    let reader = readers.get(source);
    if (!reader) {
      reader = new LineReader();
      if (readers.size < 10_000) readers.set(source, reader);
    }
    const items: StreamItem[] = [];
    reader.push(msg.toString('utf8'), items);
    reader.end(items); // a datagram never continues in the next one
    for (const item of items) void onItem(item, source);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(target.port, target.host, () => {
      resolve({
        url: `udp://${hostForUrl(target.host)}:${socket.address().port}`,
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}

export function listen(target: ListenTarget, onItem: LineHandler): Promise<Listener> {
  return target.protocol === 'tcp' ? listenTcp(target, onItem) : listenUdp(target, onItem);
}

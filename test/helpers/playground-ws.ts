import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A small RFC 6455 client: enough to listen to the Agents Playground's conversation stream
 * (text frames from the server, answering pings, closing cleanly). Node 20 has no WebSocket
 * without a flag, and the test runner does not pass flags to its children.
 */
export interface TextStream {
  /** Every text message received so far, in order. */
  readonly messages: string[];
  /** Resolves with the first message (already received or future) matching `predicate`. */
  waitFor(predicate: (message: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function frame(opcode: number, payload: Buffer): Buffer {
  // Client frames are always masked (RFC 6455 §5.3); control payloads stay under 126 bytes here.
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

export function connectTextStream(url: string): Promise<TextStream> {
  const key = randomBytes(16).toString('base64');
  const messages: string[] = [];
  const waiters: Array<{ predicate: (m: string) => boolean; resolve: (m: string) => void }> = [];
  let socket: Socket | undefined;
  let buffer = Buffer.alloc(0);
  let fragments: Buffer[] = [];
  let closed: Promise<void> | undefined;

  function deliver(text: string): void {
    messages.push(text);
    for (const w of [...waiters]) {
      if (w.predicate(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
  }

  function parse(): void {
    for (;;) {
      if (buffer.length < 2) return;
      const [b0 = 0, b1 = 0] = buffer;
      if (b1 & 0x80) throw new Error('server frames must not be masked');
      let length = b1 & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === 0x9) socket?.write(frame(0xa, payload));
      else if (opcode === 0x8) socket?.end(frame(0x8, payload.subarray(0, 2)));
      else if (opcode === 0x1 || opcode === 0x0) {
        fragments.push(Buffer.from(payload));
        if (fin) {
          deliver(Buffer.concat(fragments).toString('utf8'));
          fragments = [];
        }
      }
    }
  }

  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13' },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode}`)));
    req.on('upgrade', (res, sock, head) => {
      const expected = createHash('sha1').update(key + acceptGuid).digest('base64');
      if (res.headers['sec-websocket-accept'] !== expected) {
        sock.destroy();
        reject(new Error('WebSocket handshake: bad Sec-WebSocket-Accept'));
        return;
      }
      socket = sock;
      buffer = Buffer.from(head);
      sock.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        parse();
      });
      sock.on('error', () => undefined);
      parse();
      resolve({
        messages,
        waitFor(predicate, timeoutMs = 10_000) {
          const found = messages.find(predicate);
          if (found !== undefined) return Promise.resolve(found);
          return new Promise((res2, rej2) => {
            const waiter = {
              predicate,
              resolve: (m: string) => {
                clearTimeout(timer);
                res2(m);
              },
            };
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              rej2(new Error(`no matching WebSocket message within ${timeoutMs} ms; received ${messages.length}`));
            }, timeoutMs);
            waiters.push(waiter);
          });
        },
        close() {
          closed ??= new Promise<void>((done) => {
            sock.once('close', () => done());
            sock.end(frame(0x8, Buffer.from([0x03, 0xe8])));
            setTimeout(() => {
              sock.destroy();
              done();
            }, 500).unref();
          });
          return closed;
        },
      });
    });
    req.end();
  });
}

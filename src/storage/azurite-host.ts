import { createServer } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * Azurite's Table, Queue and Blob servers run on ONE worker thread of this process, shared by every
 * emulator the process starts.
 *
 * Why not in the main thread: Azurite is an express app, and modules Argus loads patch Node's
 * shared HTTP prototypes (restify adds `query`, `getQuery`, … to http.IncomingMessage) — inside
 * one module registry Azurite then misreads request URLs, e.g. ignores a `$filter`. A worker has
 * its own isolate and its own `http`, so nothing leaks either way, and a CPU-bound main thread
 * cannot stall storage.
 * Why not child processes (`azurite-table`, `azurite-queue`): a second Node start per emulator is
 * slower (tests start many), and a child can outlive a crashed Argus; a worker cannot.
 * The worker is loaded once (~0.5 s, mostly Azurite's own modules); later starts take milliseconds.
 * It is unref'd while idle so it never keeps a finished process alive.
 */

export interface PairOptions {
  host: string;
  /** 0 = ephemeral. */
  tablePort: number;
  queuePort: number;
  blobPort: number;
  /** Folder for Azurite's files; undefined = in memory. */
  dataDir?: string;
}

export interface RunningPair {
  tablePort: number;
  queuePort: number;
  blobPort: number;
  close(): Promise<void>;
}

type Reply = { id: number; ok: true; tablePort?: number; queuePort?: number; blobPort?: number } | { id: number; ok: false; message: string; code?: string };

class AzuriteHost {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();

  async start(options: PairOptions): Promise<RunningPair> {
    const id = this.nextId++;
    const reply = await this.request({ id, type: 'start', ...options, dataDir: options.dataDir ?? null });
    if (!reply.ok) throw hostError(reply);
    let closing: Promise<void> | undefined;
    return {
      tablePort: reply.tablePort ?? 0,
      queuePort: reply.queuePort ?? 0,
      blobPort: reply.blobPort ?? 0,
      close: () => {
        closing ??= this.request({ id: this.nextId++, type: 'stop', pair: id }).then((r) => {
          if (!r.ok) throw hostError(r);
        });
        return closing;
      },
    };
  }

  private request(message: { id: number; type: string } & Record<string, unknown>): Promise<Reply> {
    const worker = this.ensureWorker();
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      // Keep the process alive while we wait for an answer.
      worker.ref();
      worker.postMessage(message);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(join(__dirname, 'azurite-worker.js'));
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      waiter?.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const waiter of this.pending.values()) waiter.reject(err);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the storage emulator thread exited (code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

function hostError(reply: { message: string; code?: string }): Error {
  return Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {});
}

const host = new AzuriteHost();

/** Starts a Table, Queue and Blob server set on the shared emulator thread. */
export function startAzuritePair(options: PairOptions): Promise<RunningPair> {
  return host.start(options);
}

/** Whether a loopback port can be listened on right now (a probe: there is a small race after it). */
export async function portIsFree(hostAddress: string, port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(port, hostAddress, () => probe.close(() => resolve(true)));
  });
}

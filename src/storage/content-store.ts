import { ArgusError } from '../errors/catalog';

/**
 * Write-once content by name (evidence files in Blob Storage): written in pieces, visible only once
 * committed, never replaced. There is no delete: what is committed stays.
 * Implementations: blobContentStore (Blob Storage, Azurite) and memoryContentStore (the twin).
 */
export interface ContentStore {
  /** Starts new content under `name`; nothing is visible until `commit`. */
  begin(name: string): ContentWriter;
  /** The content as stored, read in pieces; undefined when there is none under `name`. */
  read(name: string): Promise<AsyncIterable<Uint8Array> | undefined>;
}

export interface ContentWriter {
  write(chunk: Buffer): Promise<void>;
  /** Makes the content visible; ARGUS_CONFLICT when `name` exists already (it is never replaced). */
  commit(): Promise<void>;
}

/** The in-memory twin; `contents` is exposed so tests can alter what is stored. */
export function memoryContentStore(): ContentStore & { contents: Map<string, Buffer> } {
  const contents = new Map<string, Buffer>();
  return {
    contents,
    begin(name) {
      const pieces: Buffer[] = [];
      return {
        write: async (chunk) => void pieces.push(Buffer.from(chunk)),
        async commit() {
          if (contents.has(name)) throw new ArgusError('ARGUS_CONFLICT', `content ${name} exists and is never replaced`);
          contents.set(name, Buffer.concat(pieces));
        },
      };
    },
    async read(name) {
      const found = contents.get(name);
      if (!found) return undefined;
      return (async function* () {
        yield found;
      })();
    },
  };
}

import { createHash, randomUUID } from 'node:crypto';
import type { Role } from '../access/roles';
import type { AuditEntry, AuditLog } from '../audit/audit-log';
import { ArgusError, isArgusError } from '../errors/catalog';
import type { ContentStore } from '../storage/content-store';
import { nextCustodyEntry, type CustodyEntry, type CustodyInput } from './custody';
import { evidenceText } from './evidence-input';
import type { EvidenceLookup, EvidenceSummary } from './evidence-port';
import type { EvidenceItem, EvidenceStore, StoredItem } from './evidence-store';

/** Who does something to evidence, as the audit trail and the ledger record it. */
export interface EvidenceActor {
  /** The name recorded: a person's display name, the custodian named on the command line, an upload's caller. */
  name: string;
  id?: string;
  tenantId?: string;
  roles?: Role[];
  via: 'teams' | 'http' | 'cli';
  /** May act for any custodian (admins; the command line, which holds the storage keys anyway). */
  admin?: boolean;
}

export interface RegisterInput {
  incident: { id: string; number: number };
  filename: unknown;
  source?: unknown;
  purpose: unknown;
  custodian: unknown;
  actor: EvidenceActor;
  content: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  maxBytes: number;
  /** Awaited once the content is read and before anything is kept (an upload's signature). */
  beforeKeep?: () => Promise<void>;
  correlationId?: string;
}

export interface Registered {
  evidenceId: string;
  sha256: string;
  size: number;
}

export interface EvidenceDeps {
  store: EvidenceStore;
  content: ContentStore;
  audit: Pick<AuditLog, 'append'>;
  now?: () => Date;
}

type Change = { input: CustodyInput; changes?: Partial<Pick<EvidenceItem, 'custodian' | 'released'>> };

/**
 * Evidence with a chain of custody (ARCHITECTURE §9): content is hashed by Argus while it is
 * stored (a caller's hash is never taken), every hand-over, access, verification and release is a
 * ledger entry chained to the one before, and every action is audited. Nothing is deleted.
 */
export class EvidenceService implements EvidenceLookup {
  private readonly now: () => Date;

  constructor(private readonly deps: EvidenceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async register(input: RegisterInput): Promise<Registered> {
    const t = evidenceText({ filename: input.filename, source: input.source, purpose: input.purpose, custodian: input.custodian }, ['filename', 'purpose', 'custodian']);
    const [filename, purpose, custodian] = [t.filename!, t.purpose!, t.custodian!];
    const evidenceId = randomUUID();
    const writer = this.deps.content.begin(evidenceId);
    const hash = createHash('sha256');
    let size = 0;
    for await (const piece of input.content) {
      size += piece.length;
      if (size > input.maxBytes) throw new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `evidence content exceeds the limit of ${input.maxBytes} bytes`);
      hash.update(piece);
      await writer.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    }
    await input.beforeKeep?.();
    if (size === 0) throw new ArgusError('ARGUS_BAD_PAYLOAD', 'evidence content is empty');
    const sha256 = hash.digest('hex');
    const at = this.now().toISOString();
    const who = input.actor.name;
    const item: EvidenceItem = {
      evidenceId,
      incidentId: input.incident.id,
      incidentNumber: input.incident.number,
      filename,
      sha256,
      size,
      ...(t.source ? { source: t.source } : {}),
      purpose,
      custodian,
      registeredAt: at,
      registeredBy: who,
      entries: 1,
      headHash: '',
      released: false,
    };
    const first = nextCustodyEntry(evidenceId, sha256, undefined, {
      action: 'registered',
      at,
      by: custodian,
      purpose,
      sha256,
      ...(who !== custodian ? { actor: who } : {}),
      incident: input.incident.id,
      filename,
      size,
      ...(t.source ? { source: t.source } : {}),
    });
    const detail = { incidentId: item.incidentId, incidentNumber: item.incidentNumber, filename, sha256, size, custodian, via: input.actor.via };
    try {
      await writer.commit();
      await this.deps.store.create({ ...item, headHash: first.hash }, first);
    } catch (err) {
      await this.audit('evidence.add', 'failed', input.actor, evidenceId, input.correlationId, { ...detail, error: isArgusError(err) ? err.code : 'ARGUS_INTERNAL' });
      throw err;
    }
    await this.audit('evidence.add', 'succeeded', input.actor, evidenceId, input.correlationId, { ...detail, seq: 1, hash: first.hash });
    return { evidenceId, sha256, size };
  }

  /** Hands the item to `to`: only its custodian (or an admin) may. */
  transfer(evidenceId: string, args: { to: unknown; reason: unknown; actor: EvidenceActor; correlationId?: string }): Promise<CustodyEntry> {
    const t = evidenceText({ to: args.to, reason: args.reason }, ['to', 'reason']);
    return this.change('evidence.transfer', evidenceId, args.actor, args.correlationId, (item) => {
      this.mayActFor(item, args.actor);
      if (item.released) throw new ArgusError('ARGUS_CONFLICT', `evidence ${evidenceId} was released; it is no longer handed over`);
      if (t.to === item.custodian) throw new ArgusError('ARGUS_BAD_REQUEST', `${item.custodian} is the custodian already`);
      return { input: this.entryInput('transferred', item.custodian, args.actor, { to: t.to!, reason: t.reason! }), changes: { custodian: t.to! } };
    });
  }

  /** Releases the item from custody (returned, or no longer held as evidence): its custodian or an admin. */
  release(evidenceId: string, args: { reason: unknown; actor: EvidenceActor; correlationId?: string }): Promise<CustodyEntry> {
    const t = evidenceText({ reason: args.reason }, ['reason']);
    return this.change('evidence.release', evidenceId, args.actor, args.correlationId, (item) => {
      this.mayActFor(item, args.actor);
      if (item.released) throw new ArgusError('ARGUS_CONFLICT', `evidence ${evidenceId} was released already`);
      return { input: this.entryInput('released', item.custodian, args.actor, { reason: t.reason! }), changes: { released: true } };
    });
  }

  /** Records that `by` read the content, and why; the caller then streams `content.read(evidenceId)`. */
  access(evidenceId: string, args: { by: unknown; purpose: unknown; actor: EvidenceActor; correlationId?: string }): Promise<CustodyEntry> {
    const t = evidenceText({ by: args.by, purpose: args.purpose }, ['by', 'purpose']);
    return this.change('evidence.access', evidenceId, args.actor, args.correlationId, () => ({
      input: this.entryInput('accessed', t.by!, args.actor, { purpose: t.purpose! }),
    }));
  }

  /** Records a verification that found the item intact, with the content hash it observed. */
  recordVerified(evidenceId: string, args: { by: unknown; sha256: string; actor: EvidenceActor; correlationId?: string }): Promise<CustodyEntry> {
    const t = evidenceText({ by: args.by }, ['by']);
    return this.change('evidence.verify', evidenceId, args.actor, args.correlationId, () => ({
      input: this.entryInput('verified', t.by!, args.actor, { sha256: args.sha256 }),
    }));
  }

  /** The item and its ledger as stored. */
  async show(evidenceId: string): Promise<{ item: EvidenceItem; custody: CustodyEntry[] } | undefined> {
    const stored = await this.deps.store.get(evidenceId);
    return stored && { item: stored.item, custody: await this.deps.store.ledger(stored.item) };
  }

  async listFor(incidentId: string): Promise<EvidenceSummary[]> {
    return (await this.deps.store.listFor(incidentId)).map(summaryOf);
  }

  async find(incidentId: string, evidenceId: string): Promise<EvidenceSummary | undefined> {
    const stored = await this.deps.store.find(incidentId, evidenceId);
    return stored && summaryOf(stored.item);
  }

  private mayActFor(item: EvidenceItem, actor: EvidenceActor): void {
    if (actor.admin || actor.name === item.custodian) return;
    throw new ArgusError('ARGUS_FORBIDDEN', `only the custodian (${item.custodian}) or an admin may do this`);
  }

  private entryInput(action: CustodyInput['action'], by: string, actor: EvidenceActor, rest: Partial<CustodyInput>): CustodyInput {
    const who = actor.name;
    return { action, at: this.now().toISOString(), by, ...rest, ...(who !== by ? { actor: who } : {}) };
  }

  /**
   * Appends one entry: read the item and its ledger's last entry, decide, write entry and new head
   * in one transaction conditioned on the item's etag; a concurrent change makes it start over.
   * A ledger whose end does not match the item's head is not extended (verification names it).
   */
  private async change(action: string, evidenceId: string, actor: EvidenceActor, correlationId: string | undefined, decide: (item: EvidenceItem) => Change): Promise<CustodyEntry> {
    let target: EvidenceItem | undefined;
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const stored: StoredItem | undefined = await this.deps.store.get(evidenceId);
        if (!stored) throw new ArgusError('ARGUS_NOT_FOUND', `no evidence ${evidenceId}`);
        target = stored.item;
        const { input, changes } = decide(stored.item);
        const last = (await this.deps.store.ledger(stored.item)).at(-1);
        if (!last || last.seq !== stored.item.entries || last.hash !== stored.item.headHash)
          throw new ArgusError('ARGUS_CONFLICT', `the custody ledger of ${evidenceId} does not end where its item says: run argus evidence verify`);
        const entry = nextCustodyEntry(evidenceId, stored.item.sha256, last, input);
        if (await this.deps.store.append(stored, entry, changes)) {
          await this.audit(action, 'succeeded', actor, evidenceId, correlationId, { ...refs(stored.item), seq: entry.seq, hash: entry.hash, by: entry.by, to: entry.to ?? null });
          return entry;
        }
      }
      throw new ArgusError('ARGUS_CONFLICT', `evidence ${evidenceId} kept changing meanwhile; try again`);
    } catch (err) {
      const refused = isArgusError(err) && err.status < 500;
      await this.audit(action, refused ? 'rejected' : 'failed', actor, evidenceId, correlationId, {
        ...(target ? refs(target) : {}),
        error: isArgusError(err) ? err.code : 'ARGUS_INTERNAL',
        reason: isArgusError(err) ? err.message : 'internal error',
      });
      throw err;
    }
  }

  private async audit(action: string, outcome: AuditEntry['outcome'], actor: EvidenceActor, target: string, correlationId: string | undefined, detail: Record<string, unknown>): Promise<void> {
    await this.deps.audit.append({
      action,
      outcome,
      actorId: actor.id,
      actorName: actor.name,
      actorTenantId: actor.tenantId,
      roles: actor.roles,
      target,
      correlationId,
      detail: { ...detail, via: actor.via },
    });
  }
}

function refs(item: EvidenceItem): Record<string, unknown> {
  return { incidentId: item.incidentId, incidentNumber: item.incidentNumber, filename: item.filename, sha256: item.sha256, custodian: item.custodian };
}

export function summaryOf(item: EvidenceItem): EvidenceSummary {
  const { evidenceId, incidentId, filename, sha256, size, source, purpose, custodian, registeredAt, registeredBy } = item;
  return { evidenceId, incidentId, filename, sha256, size, ...(source !== undefined ? { source } : {}), purpose, custodian, registeredAt, registeredBy };
}

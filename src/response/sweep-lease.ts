import type { EntityTable } from '../storage/entity-table';

/**
 * Which instance runs a sweep now: one row (partition `lease`) taken and renewed with etags. It
 * expires by itself when its holder dies, so another instance takes over within `ttlMs`; a holder
 * that stops lets it go at once.
 */
export class SweepLease {
  private etag: string | undefined;

  constructor(
    private readonly table: EntityTable,
    private readonly name: string,
    private readonly owner: string,
    private readonly ttlMs = 10_000,
  ) {}

  /** Takes or renews the lease; false while another instance holds it. */
  async hold(now = Date.now()): Promise<boolean> {
    const fields = { partitionKey: 'lease', rowKey: this.name, owner: this.owner, until: now + this.ttlMs };
    const current = await this.table.get('lease', this.name);
    if (!current) {
      const res = await this.table.create(fields);
      this.etag = res.created ? res.etag : undefined;
      return res.created;
    }
    if (current.owner !== this.owner && Number(current.until) > now) {
      this.etag = undefined;
      return false;
    }
    this.etag = await this.table.update(fields, { mode: 'replace', etag: current.etag });
    return this.etag !== undefined;
  }

  /** Lets the lease go (if still held), so another instance need not wait for it to expire. */
  async release(now = Date.now()): Promise<void> {
    if (!this.etag) return;
    const etag = this.etag;
    this.etag = undefined;
    await this.table.update({ partitionKey: 'lease', rowKey: this.name, owner: this.owner, until: now }, { mode: 'replace', etag });
  }
}

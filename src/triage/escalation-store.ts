import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { ArgusError } from '../errors/catalog';
import { asEntityTable, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';

/**
 * Escalation groups, as row kinds in table ArgusAlerts beside the triage records:
 * - `current` (PartitionKey `escalation-group-<hash of rule + host>`): the group alerts of that
 *   rule on that host join now, and when its window began. Replaced with its etag, so two
 *   instances racing on one rule + host agree on one group.
 * - `escalation` (PartitionKey = alert id, beside its `triage` row): the group the alert chose,
 *   created once, so a retried event never picks another group.
 * - `group` and `alert-<id>` (PartitionKey `escalation-<incident name>`): the group's summary
 *   (count, latest alerts, incident number) and one row per member, written in one transaction,
 *   so an alert joins once however often its event runs.
 */

/** What the card and the incident's overrides need of an escalated alert. */
export interface EscalatedAlert {
  alertId: string;
  ruleId: string;
  title: string;
  level: string;
  host?: string;
  detectedAt: string;
  score: number;
}

export interface EscalationGroup {
  incidentName: string;
  ruleId: string;
  host: string;
  /** ISO time the group's window is counted from (its first alert's detection). */
  start: string;
  /** The alert that started the group. */
  founder: string;
  count: number;
  /** The incident's number, once it is made. */
  number?: number;
  /** The latest members, newest last (at most `recentKept`). */
  recent: EscalatedAlert[];
}

export interface GroupChoice {
  incidentName: string;
  start: string;
}

export interface EscalationStore {
  /** The group rule + host alerts join now, with the etag a replacement must name. */
  current(ruleId: string, host: string): Promise<(GroupChoice & { etag: string }) | undefined>;
  /** Makes `choice` the current group (replacing the row read with `etag`, or creating it): false when another wrote first. */
  setCurrent(ruleId: string, host: string, choice: GroupChoice, etag?: string): Promise<boolean>;
  /** The group the alert chose before, if it did. */
  chosen(alertId: string): Promise<GroupChoice | undefined>;
  /** Records the alert's choice unless one is there: the choice in force. */
  choose(alertId: string, choice: GroupChoice): Promise<GroupChoice>;
  group(incidentName: string): Promise<EscalationGroup | undefined>;
  /** Adds the alert to the group (creating it, the alert its founder): `joined` false when it was a member already. */
  join(choice: GroupChoice, alert: EscalatedAlert): Promise<{ group: EscalationGroup; joined: boolean }>;
  /** Notes the incident's number on the group. */
  setNumber(incidentName: string, number: number): Promise<void>;
  /** Every member of the group, oldest first. */
  members(incidentName: string): Promise<EscalatedAlert[]>;
}

export const recentKept = 20;
const maxAttempts = 10;
const groupRow = 'group';
const memberPrefix = 'alert-';

const pointerPartition = (ruleId: string, host: string) => `escalation-group-${createHash('sha256').update(`${ruleId}\n${host}`).digest('hex').slice(0, 40)}`;
const groupPartition = (incidentName: string) => `escalation-${encodeKey(incidentName)}`;
const memberRow = (alertId: string) => `${memberPrefix}${encodeKey(alertId)}`;

const toChoice = (e: StoredEntity): GroupChoice => ({ incidentName: String(e.incidentName), start: String(e.start) });

/** The group row: the summary as JSON (at most `recentKept` alerts keep it small). */
const toGroup = (e: StoredEntity): EscalationGroup => JSON.parse(String(e.group)) as EscalationGroup;
const groupEntity = (g: EscalationGroup) => ({ partitionKey: groupPartition(g.incidentName), rowKey: groupRow, group: JSON.stringify(g) });

const conflict = (what: string) => new ArgusError('ARGUS_CONFLICT', `the escalation group ${what} kept changing; trying again`);

export class TableEscalationStore implements EscalationStore {
  private readonly table: EntityTable;

  constructor(table: TableClient | EntityTable) {
    this.table = asEntityTable(table);
  }

  async current(ruleId: string, host: string) {
    const e = await this.table.get(pointerPartition(ruleId, host), 'current');
    return e && { ...toChoice(e), etag: e.etag };
  }

  async setCurrent(ruleId: string, host: string, choice: GroupChoice, etag?: string): Promise<boolean> {
    const entity = { partitionKey: pointerPartition(ruleId, host), rowKey: 'current', ruleId, host, ...choice };
    if (etag) return (await this.table.update(entity, { mode: 'replace', etag })) !== undefined;
    return (await this.table.create(entity)).created;
  }

  async chosen(alertId: string) {
    const e = await this.table.get(encodeKey(alertId), 'escalation');
    return e && toChoice(e);
  }

  async choose(alertId: string, choice: GroupChoice): Promise<GroupChoice> {
    if ((await this.table.create({ partitionKey: encodeKey(alertId), rowKey: 'escalation', ...choice })).created) return choice;
    const there = await this.chosen(alertId);
    if (!there) throw conflict(`choice of alert ${alertId}`);
    return there;
  }

  async group(incidentName: string) {
    const e = await this.table.get(groupPartition(incidentName), groupRow);
    return e && toGroup(e);
  }

  async join(choice: GroupChoice, alert: EscalatedAlert): Promise<{ group: EscalationGroup; joined: boolean }> {
    const partitionKey = groupPartition(choice.incidentName);
    const member = { partitionKey, rowKey: memberRow(alert.alertId), alert: JSON.stringify(alert) };
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const e = await this.table.get(partitionKey, groupRow);
      const before = e && toGroup(e);
      if (before && (await this.table.get(partitionKey, member.rowKey))) return { group: before, joined: false };
      const group: EscalationGroup = before
        ? { ...before, count: before.count + 1, recent: [...before.recent, alert].slice(-recentKept) }
        : { incidentName: choice.incidentName, ruleId: alert.ruleId, host: alert.host?.toLowerCase() ?? '', start: choice.start, founder: alert.alertId, count: 1, recent: [alert] };
      const write = e ? { op: 'update' as const, entity: groupEntity(group), mode: 'replace' as const, etag: e.etag } : { op: 'create' as const, entity: groupEntity(group) };
      const result = await this.table.submit([write, { op: 'create', entity: member }]);
      if (result.ok) return { group, joined: true };
    }
    throw conflict(choice.incidentName);
  }

  async setNumber(incidentName: string, number: number): Promise<void> {
    for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
      const e = await this.table.get(groupPartition(incidentName), groupRow);
      if (!e) throw new ArgusError('ARGUS_NOT_FOUND', `no escalation group for incident ${incidentName}`);
      const group = toGroup(e);
      if (group.number === number) return;
      if (await this.table.update(groupEntity({ ...group, number }), { mode: 'replace', etag: e.etag })) return;
    }
    throw conflict(incidentName);
  }

  async members(incidentName: string): Promise<EscalatedAlert[]> {
    const out: EscalatedAlert[] = [];
    for await (const e of this.table.scan({ partitionKey: groupPartition(incidentName), rowKey: { prefix: memberPrefix } })) out.push(JSON.parse(String(e.alert)) as EscalatedAlert);
    return out.sort((a, b) => a.detectedAt.localeCompare(b.detectedAt) || a.alertId.localeCompare(b.alertId));
  }
}

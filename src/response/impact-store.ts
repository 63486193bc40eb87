import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';
import { assessImpact, impactInputSchema, type ImpactAssessment } from './impact';

/** The last impact assessment of an incident: what was answered, what Argus derived, who and when. */
export interface ImpactRecord extends ImpactAssessment {
  assessedAt: string;
  assessedBy: string;
}

export interface ImpactStore {
  get(incidentId: string): Promise<ImpactRecord | undefined>;
  /** Keeps the assessment as the incident's current one (a new assessment replaces the last). */
  save(incidentId: string, record: ImpactRecord): Promise<void>;
}

const rowKey = 'impact';

/**
 * Row `impact` in the incident's partition of table ArgusResponse. Only the answers are trusted
 * from the row: level, rule and suggested severity are derived again on reading, so the rules in
 * impact.ts are the one source of truth.
 */
export function tableImpactStore(table: TableClient | EntityTable): ImpactStore {
  const t = asEntityTable(table);
  return {
    async get(incidentId) {
      const row = await t.get(encodeKey(incidentId), rowKey);
      if (!row || typeof row.input !== 'string') return undefined;
      const parsed = impactInputSchema.safeParse(JSON.parse(row.input));
      if (!parsed.success) return undefined;
      return { ...assessImpact(parsed.data), assessedAt: String(row.assessedAt ?? ''), assessedBy: String(row.assessedBy ?? '') };
    },
    async save(incidentId, record) {
      await t.upsert(
        {
          partitionKey: encodeKey(incidentId),
          rowKey,
          input: JSON.stringify({ ...record.input, regimes: record.input.regimes.join(',') }),
          level: record.level,
          suggestedSeverity: record.suggestedSeverity,
          assessedAt: record.assessedAt,
          assessedBy: record.assessedBy,
        },
        'replace',
      );
    },
  };
}

/** The impact as `argus incident show --json` prints it. */
export function impactSummary(r: ImpactRecord): Record<string, unknown> {
  return { ...r.input, level: r.level, suggestedSeverity: r.suggestedSeverity, rule: r.rule, assessedAt: r.assessedAt, assessedBy: r.assessedBy };
}

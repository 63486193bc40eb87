import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { asEntityTable, saveEntity, type EntityTable, type StoredEntity } from '../storage/entity-table';
import { encodeKey } from '../storage/keys';

/**
 * The post-mortem of an incident: row `postmortem` of its partition in table ArgusResponse, with
 * `status: draft | completed` (the closing gate reads that, see response-store.ts). Prevention
 * actions are one per line; a detection gap line of the form `sigma: <rule>` names a Sigma rule
 * to write.
 */

export const postMortemStatuses = ['draft', 'completed'] as const;
export type PostMortemStatus = (typeof postMortemStatuses)[number];

export interface DetectionGap {
  text: string;
  /** The Sigma rule the gap asks for, when the line names one. */
  sigmaRule?: string;
}

export interface PostMortem {
  status: PostMortemStatus;
  summary: string;
  rootCause: string;
  contributingFactors: string;
  lessonsLearned: string;
  preventionActions: string[];
  detectionGaps: DetectionGap[];
  savedAt: string;
  savedBy: string;
  completedAt?: string;
  completedBy?: string;
}

const field = (max: number) => z.string().max(max * 2).default('').transform((s) => s.replace(/\r\n?/g, '\n').trim().slice(0, max));
const lines = (max: number, each: number) =>
  field(max * each).transform((s) =>
    s
      .split('\n')
      .map((l) => l.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim().slice(0, each))
      .filter(Boolean)
      .slice(0, max),
  );

/** The form's inputs as Teams sends them (absent inputs are empty strings). */
export const postMortemInputSchema = z.object({
  summary: field(4000),
  rootCause: field(4000),
  contributingFactors: field(4000),
  lessonsLearned: field(4000),
  preventionActions: lines(30, 300),
  detectionGaps: lines(30, 300),
});
export type PostMortemInput = z.output<typeof postMortemInputSchema>;

const sigmaLine = /^sigma\s*:\s*(.+)$/i;

export function detectionGapOf(line: string): DetectionGap {
  const m = sigmaLine.exec(line);
  return m ? { text: line, sigmaRule: m[1]!.trim() } : { text: line };
}

/** What completing needs beyond a draft: the parts a post-mortem cannot go without. */
export function missingForCompletion(input: PostMortemInput): string[] {
  const missing: string[] = [];
  if (!input.summary) missing.push('a summary');
  if (!input.rootCause) missing.push('the root cause');
  if (input.preventionActions.length === 0) missing.push('at least one prevention action');
  return missing;
}

export interface StoredPostMortem {
  postMortem: PostMortem;
  etag: string;
}

const rowKey = 'postmortem';

export interface PostMortemStore {
  get(incidentId: string): Promise<StoredPostMortem | undefined>;
  /** Creates (etag undefined) or replaces the row; the new etag, or undefined when someone else changed it. */
  save(incidentId: string, pm: PostMortem, etag: string | undefined): Promise<string | undefined>;
}

export function tablePostMortems(table: TableClient | EntityTable): PostMortemStore {
  const t = asEntityTable(table);
  return {
    async get(incidentId) {
      const row = await t.get(encodeKey(incidentId), rowKey);
      return row && { postMortem: postMortemFrom(row), etag: row.etag };
    },
    save(incidentId, pm, etag) {
      const { preventionActions, detectionGaps, ...rest } = pm;
      const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
        partitionKey: encodeKey(incidentId),
        rowKey,
        preventionActions: JSON.stringify(preventionActions),
        detectionGaps: JSON.stringify(detectionGaps),
      };
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) entity[k] = v;
      return saveEntity(t, entity, etag);
    },
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
function jsonList(v: unknown): unknown[] {
  try {
    const parsed: unknown = typeof v === 'string' && v ? JSON.parse(v) : [];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function postMortemFrom(row: StoredEntity): PostMortem {
  return {
    status: row.status === 'completed' ? 'completed' : 'draft',
    summary: str(row.summary),
    rootCause: str(row.rootCause),
    contributingFactors: str(row.contributingFactors),
    lessonsLearned: str(row.lessonsLearned),
    preventionActions: jsonList(row.preventionActions).filter((x): x is string => typeof x === 'string'),
    detectionGaps: jsonList(row.detectionGaps).flatMap((g) =>
      g && typeof g === 'object' && typeof (g as DetectionGap).text === 'string' ? [detectionGapOf((g as DetectionGap).text)] : [],
    ),
    savedAt: str(row.savedAt),
    savedBy: str(row.savedBy),
    ...(typeof row.completedAt === 'string' ? { completedAt: row.completedAt } : {}),
    ...(typeof row.completedBy === 'string' ? { completedBy: row.completedBy } : {}),
  };
}

import { parseYamlDefinition, readYamlFolder, uniqueIds } from '../config/yaml-definitions';
import type { Logger } from '../logging/logger';
import { parseIsoDuration } from '../playbooks/duration';
import { querySchema, type QueryDefinition } from './query-schema';

/** A catalog query as Argus uses it. */
export interface InvestigationQuery {
  definition: QueryDefinition;
  file: string;
  timespanMs: number;
}

/** The investigation queries Argus knows, in file-name order. */
export class QueryCatalog {
  private readonly byId: Map<string, InvestigationQuery>;

  constructor(readonly queries: readonly InvestigationQuery[]) {
    this.byId = new Map(queries.map((q) => [q.definition.id, q]));
  }

  get(id: string): InvestigationQuery | undefined {
    return this.byId.get(id);
  }

  /** The queries for one entity kind (`Host`, `Account`…). */
  forKind(kind: string): InvestigationQuery[] {
    return this.queries.filter((q) => q.definition.appliesTo === kind);
  }
}

/** Parses one definition; errors name the file and the key. */
export function parseQuery(text: string, file: string): InvestigationQuery {
  const definition = parseYamlDefinition('query', text, file, querySchema);
  return { definition, file, timespanMs: parseIsoDuration(definition.timespan) ?? 0 };
}

/**
 * Reads every definition in `dir`. A bad file stops start-up (the error names file and key); a
 * missing folder is an empty catalog, said loudly.
 */
export function loadQueryCatalog(dir: string, logger?: Logger): QueryCatalog {
  const files = readYamlFolder(dir);
  if (!files) {
    logger?.warn({ dir }, 'queries folder not found: no investigation queries are offered');
    return new QueryCatalog([]);
  }
  const claim = uniqueIds('query');
  const queries = files.map(({ file, text }) => {
    const query = parseQuery(text, file);
    claim(query.definition.id, file);
    return query;
  });
  logger?.info({ dir, count: queries.length }, 'query catalog loaded');
  return new QueryCatalog(queries);
}

import resultTemplate from '../../cards/query-result.json';
import { fitCard, atLevel } from '../cards/size-guard';
import { createCardTemplate } from '../cards/template';
import { cardDateTime, truncate } from '../cards/text';
import type { AdaptiveCardJson, NoticeStyle } from '../cards/views';
import type { QueryOutcome, ResultColumn } from './log-analytics-client';

/**
 * The answer to a query, as an Adaptive Card table posted in the thread it was asked from: the
 * first rows, how many there were, and every problem Log Analytics reported (partial results,
 * throttling, errors) in plain words. All text from the query's answer goes into TextRuns, which
 * Adaptive Cards never read as markdown, so a cell cannot become a link or a mention. Datetime
 * columns are shown in the reader's time zone, numbers are right-aligned.
 */

export interface QueryAnswerView {
  /** "Process events on FIN-WS-042, last 24 h". */
  title: string;
  /** "Incident #48213 · asked by Ada Admin". */
  context: string;
  /** The query text, shown for ad-hoc queries. */
  query?: string;
  outcome: QueryOutcome;
  /** The row cap the query ran with (a `take` one above it was sent). */
  maxRows: number;
  correlationId: string;
}

interface Cell {
  text: string;
  weight: 'Bolder' | 'Default';
}

interface QueryResultCardData {
  fallbackText: string;
  title: string;
  context: string;
  query: { enabled: boolean; text: string };
  notices: Array<{ style: NoticeStyle; text: string }>;
  table: { enabled: boolean; columns: Array<{ width: number; align: 'Left' | 'Right' }>; rows: Array<{ cells: Cell[] }> };
  footer: string;
}

const budgets = {
  rows: [10, 8, 6, 4, 3, 2, 1],
  columns: [8, 6, 6, 5, 4, 3, 2],
  cellLength: [80, 60, 48, 36, 28, 20, 12],
  queryLength: [1500, 800, 400, 200, 120, 80, 60],
  messageLength: [600, 400, 300, 200, 160, 120, 80],
} as const;
const levels = budgets.rows.length;

const numericTypes = new Set(['int', 'long', 'real', 'decimal']);
const expand = createCardTemplate<QueryResultCardData>(resultTemplate);

/** One line of at most `max` characters. */
function line(text: string, max: number): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

/** A cell's text by its column type. */
export function cellText(value: unknown, column: ResultColumn, max: number): string {
  if (value === null || value === undefined) return '';
  if (column.type === 'datetime' && typeof value === 'string' && !Number.isNaN(Date.parse(value))) return cardDateTime(value);
  if (typeof value === 'string') return line(value, max);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return line(JSON.stringify(value) ?? '', max);
}

function rowsText(count: number, maxRows: number): string {
  if (count > maxRows) return `More than ${maxRows} rows`;
  return count === 1 ? '1 row' : `${count} rows`;
}

function problemNotices(outcome: QueryOutcome, max: number): QueryResultCardData['notices'] {
  if (outcome.kind === 'throttled') {
    const wait = outcome.retryAfterSeconds !== undefined ? `try again in ${outcome.retryAfterSeconds} s` : 'try again in a minute';
    return [{ style: 'attention', text: line(`Log Analytics is throttling queries (429 ${outcome.problem.code}): ${wait}. ${outcome.problem.message}`, max) }];
  }
  if (outcome.kind === 'failed') {
    const status = outcome.status ? `${outcome.status} ` : '';
    return [{ style: 'attention', text: line(`The query failed (${status}${outcome.problem.code}): ${outcome.problem.message}`, max) }];
  }
  const notices: QueryResultCardData['notices'] = [];
  if (outcome.partial)
    notices.push({ style: 'warning', text: line(`Partial results: Log Analytics reported ${outcome.partial.code}: ${outcome.partial.message}. The rows below may be incomplete.`, max) });
  return notices;
}

function cardData(view: QueryAnswerView, level: number): QueryResultCardData {
  const at = <K extends keyof typeof budgets>(key: K): number => atLevel(budgets[key], level);
  const { outcome } = view;
  const notices = problemNotices(outcome, at('messageLength'));
  const base = {
    fallbackText: line(`Query result: ${view.title}`, 200),
    title: line(view.title, 200),
    context: line(view.context, 300),
    query: { enabled: !!view.query, text: truncate(view.query ?? '', at('queryLength')) },
  };
  if (outcome.kind !== 'ok') {
    const footer = `Nothing to show · correlation id ${view.correlationId}`;
    return { ...base, notices, table: { enabled: false, columns: [], rows: [] }, footer };
  }
  const { columns, rows } = outcome.table;
  const count = rows.length;
  if (count > view.maxRows) notices.push({ style: 'accent', text: `More than ${view.maxRows} rows matched; Argus asked for the first ${view.maxRows}. Narrow the query to see the rest.` });
  const shownColumns = columns.slice(0, at('columns'));
  const shownRows = rows.slice(0, Math.min(at('rows'), view.maxRows));
  const cellLength = at('cellLength');
  const header = { cells: shownColumns.map((c) => ({ text: line(c.name, cellLength), weight: 'Bolder' as const })) };
  const body = shownRows.map((row) => ({ cells: shownColumns.map((c, i) => ({ text: cellText(row[i], c, cellLength), weight: 'Default' as const })) }));
  const hiddenColumns = columns.slice(shownColumns.length).map((c) => c.name);
  const parts = [
    count === 0 ? 'No rows' : `${rowsText(count, view.maxRows)} · ${shownRows.length < count ? `first ${shownRows.length} shown` : 'all shown'}`,
    hiddenColumns.length ? `${hiddenColumns.length} more column(s) not shown: ${line(hiddenColumns.join(', '), 200)}` : '',
    `correlation id ${view.correlationId}`,
  ];
  return {
    ...base,
    notices,
    table: {
      enabled: count > 0 && shownColumns.length > 0,
      columns: shownColumns.map((c) => ({ width: numericTypes.has(c.type) || c.type === 'bool' ? 1 : 2, align: numericTypes.has(c.type) ? 'Right' : 'Left' })),
      rows: [header, ...body],
    },
    footer: parts.filter(Boolean).join(' · '),
  };
}

/** The answer card, truncated (rows, columns, cell length) until it fits the card size limit. */
export function renderQueryResultCard(view: QueryAnswerView, options: { maxBytes?: number } = {}): AdaptiveCardJson {
  return fitCard((level) => expand(cardData(view, level)), { card: 'query result', levels, maxBytes: options.maxBytes });
}

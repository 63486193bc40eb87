import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CARD_BYTES, measureCardBytes } from '../../../src/cards/size-guard';
import type { QueryOutcome, ResultTable } from '../../../src/queries/log-analytics-client';
import { renderQueryResultCard, type QueryAnswerView } from '../../../src/queries/result-card';
import { allObjects, cardProblems } from '../cards/card-checker';

const table: ResultTable = {
  name: 'PrimaryResult',
  columns: [
    { name: 'TimeGenerated', type: 'datetime' },
    { name: 'FileName', type: 'string' },
    { name: 'ProcessCommandLine', type: 'string' },
    { name: 'Count', type: 'long' },
    { name: 'Extra', type: 'dynamic' },
  ],
  rows: [
    ['2024-05-01T10:00:00.1234567Z', 'powershell.exe', '[Re-authenticate](https://evil.example/login) <at>SOC</at> **urgent**', 3, { parent: 'winword.exe' }],
    ['2024-05-01T09:59:00Z', 'cmd.exe', null, 12, '["a","b"]'],
  ],
};

function view(outcome: QueryOutcome, overrides: Partial<QueryAnswerView> = {}): QueryAnswerView {
  return { title: 'Process events on FIN-WS-042, last 24 h', context: 'Incident #48213 · asked by Ada Admin', outcome, maxRows: 1000, correlationId: 'c0ffee', ...overrides };
}

const tableOf = (card: unknown) => allObjects(card).find((o) => o.type === 'Table') as { columns: Array<Record<string, unknown>>; rows: Array<{ cells: Array<{ items: any[] }> }> } | undefined;
const cellTexts = (card: unknown) => tableOf(card)?.rows.map((r) => r.cells.map((c) => String(c.items[0].inlines[0].text))) ?? [];
const noticeTexts = (card: unknown) =>
  allObjects(card)
    .filter((o) => o.type === 'Container')
    .map((o) => ({ style: o.style, text: JSON.stringify(o.items) }));

test('rows become an Adaptive Card table the official parser accepts: header, datetimes for the reader, numbers right-aligned', () => {
  const card = renderQueryResultCard(view({ kind: 'ok', table }));
  assert.deepEqual(cardProblems(card), []);
  const t = tableOf(card)!;
  assert.deepEqual(
    t.columns.map((c) => c.horizontalCellContentAlignment),
    ['Left', 'Left', 'Left', 'Right', 'Left'],
  );
  const [header, first, second] = cellTexts(card);
  assert.deepEqual(header, ['TimeGenerated', 'FileName', 'ProcessCommandLine', 'Count', 'Extra']);
  assert.equal(first![0], '{{DATE(2024-05-01T10:00:00Z, SHORT)}} {{TIME(2024-05-01T10:00:00Z)}}');
  assert.equal(first![3], '3');
  assert.equal(first![4], '{"parent":"winword.exe"}');
  assert.equal(second![2], '', 'null is an empty cell');
  assert.match(JSON.stringify(card), /2 rows · all shown · correlation id c0ffee/);
});

test('a cell that looks like markup stays text: it is a TextRun, which Adaptive Cards never read as markdown', () => {
  const card = renderQueryResultCard(view({ kind: 'ok', table }));
  const holder = allObjects(card).find((o) => o.type === 'TextRun' && String(o.text).includes('Re-authenticate'));
  assert.ok(holder, 'the cell is a TextRun');
  assert.equal(holder.text, '[Re-authenticate](https://evil.example/login) <at>SOC</at> **urgent**');
  assert.ok(!allObjects(card).some((o) => o.type === 'TextBlock' && String(o.text).includes('evil.example')), 'no TextBlock carries query text');
});

test('partial results, throttling and failures are said on the card, not hidden', () => {
  const partial = renderQueryResultCard(view({ kind: 'ok', table, partial: { code: 'PartialError', message: 'Query result set has exceeded the internal data size limit' } }));
  assert.deepEqual(cardProblems(partial), []);
  assert.ok(noticeTexts(partial).some((n) => n.style === 'warning' && /Partial results.*PartialError.*exceeded the internal data size limit.*may be incomplete/.test(n.text)));
  assert.ok(tableOf(partial), 'the rows that came are still shown');

  const throttled = renderQueryResultCard(view({ kind: 'throttled', status: 429, retryAfterSeconds: 30, problem: { code: 'ThrottledError', message: 'Too many queries' } }));
  assert.deepEqual(cardProblems(throttled), []);
  assert.ok(noticeTexts(throttled).some((n) => n.style === 'attention' && /throttling queries \(429 ThrottledError\): try again in 30 s/.test(n.text)));
  assert.equal(tableOf(throttled), undefined);

  const failed = renderQueryResultCard(view({ kind: 'failed', status: 400, problem: { code: 'BadArgumentError', message: "SemanticError: 'where' operator: Failed to resolve column" } }));
  assert.ok(noticeTexts(failed).some((n) => /The query failed \(400 BadArgumentError\): SemanticError/.test(n.text)));
});

test('more rows than the cap: the card says so; many wide rows are cut to fit the size limit, never the JSON', () => {
  const rows = Array.from({ length: 1001 }, (_, i) => Array.from({ length: 12 }, (_, j) => `row ${i} col ${j} ${'x'.repeat(400)}`));
  const wide: ResultTable = { name: 'PrimaryResult', columns: Array.from({ length: 12 }, (_, j) => ({ name: `Column${j}`, type: 'string' })), rows };
  const card = renderQueryResultCard(view({ kind: 'ok', table: wide }, { query: `T | take 1001 ${'y'.repeat(3000)}` }));
  assert.deepEqual(cardProblems(card), []);
  assert.ok(measureCardBytes(card) <= MAX_CARD_BYTES);
  const text = JSON.stringify(card);
  assert.match(text, /More than 1000 rows matched; Argus asked for the first 1000/);
  assert.match(text, /More than 1000 rows · first \d+ shown/);
  assert.match(text, /more column\(s\) not shown: Column/);
});

test('no rows: the card says so without an empty table', () => {
  const card = renderQueryResultCard(view({ kind: 'ok', table: { ...table, rows: [] } }));
  assert.deepEqual(cardProblems(card), []);
  assert.equal(tableOf(card), undefined);
  assert.match(JSON.stringify(card), /No rows · correlation id/);
});

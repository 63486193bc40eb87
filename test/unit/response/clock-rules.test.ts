import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addSpan, computeDeadlines, parseClockSpan, reminderSchedule } from '../../../src/response/clock-rules';

const at = (iso: string) => new Date(iso);
const dues = (list: ReturnType<typeof computeDeadlines>) => Object.fromEntries(list.map((d) => [d.rule.milestone, d.dueAt.toISOString()]));

test('GDPR and HIPAA count from awareness', () => {
  const awareAt = at('2026-03-02T10:00:00Z');
  assert.deepEqual(dues(computeDeadlines('gdpr', { awareAt })), { notification: '2026-03-05T10:00:00.000Z' });
  assert.deepEqual(dues(computeDeadlines('hipaa', { awareAt })), { individuals: '2026-05-01T10:00:00.000Z' });
});

test('NIS2: 24 h early warning, 72 h notification, final report a calendar month after the notification was made', () => {
  const awareAt = at('2026-01-30T08:00:00Z');
  assert.deepEqual(dues(computeDeadlines('nis2', { awareAt })), {
    'early-warning': '2026-01-31T08:00:00.000Z',
    notification: '2026-02-02T08:00:00.000Z',
    'final-report': '2026-03-02T08:00:00.000Z',
  });
  // Made early, on 31 January: one month later is clamped to the end of February.
  const met = computeDeadlines('nis2', { awareAt, metAt: { notification: at('2026-01-31T12:00:00Z') } });
  assert.equal(dues(met)['final-report'], '2026-02-28T12:00:00.000Z');
});

test('DORA: initial 4 h after classification but never later than 24 h after awareness; the rest chain on it', () => {
  const awareAt = at('2026-06-01T00:00:00Z');
  const early = computeDeadlines('dora', { awareAt, classifiedAt: at('2026-06-01T02:00:00Z') });
  assert.deepEqual(dues(early), {
    initial: '2026-06-01T06:00:00.000Z',
    intermediate: '2026-06-04T06:00:00.000Z',
    final: '2026-07-04T06:00:00.000Z',
  });
  const late = computeDeadlines('dora', { awareAt, classifiedAt: at('2026-06-01T22:00:00Z') });
  assert.equal(dues(late).initial, '2026-06-02T00:00:00.000Z');
  const made = computeDeadlines('dora', { awareAt, classifiedAt: at('2026-06-01T02:00:00Z'), metAt: { initial: at('2026-06-01T03:30:00Z') } });
  assert.equal(dues(made).intermediate, '2026-06-04T03:30:00.000Z');
});

test('SEC: four business days after the materiality determination, skipping weekends and listed holidays', () => {
  // Determined on Thursday 2026-07-02: Fri 3 (a listed holiday), Mon 6, Tue 7, Wed 8, Thu 9.
  const determinedAt = at('2026-07-02T15:00:00Z');
  const awareAt = at('2026-06-30T09:00:00Z');
  assert.equal(dues(computeDeadlines('sec', { awareAt, determinedAt }))['8k'], '2026-07-08T23:59:59.999Z');
  const withHoliday = computeDeadlines('sec', { awareAt, determinedAt }, { holidays: new Set(['2026-07-03']) });
  assert.equal(dues(withHoliday)['8k'], '2026-07-09T23:59:59.999Z');
  // Determined on a Saturday: the four days are Mon–Thu.
  assert.equal(addSpan(at('2026-07-04T10:00:00Z'), { unit: 'business-days', value: 4 }).toISOString(), '2026-07-09T23:59:59.999Z');
});

test('configured windows override the defaults per milestone', () => {
  const awareAt = at('2026-03-02T10:00:00Z');
  const span = parseClockSpan('PT48H');
  assert.ok(span);
  assert.deepEqual(dues(computeDeadlines('gdpr', { awareAt }, { overrides: { 'gdpr.notification': span } })), {
    notification: '2026-03-04T10:00:00.000Z',
  });
});

test('clock spans: ISO durations, whole months, business days; nonsense is refused', () => {
  assert.deepEqual(parseClockSpan('PT30M'), { unit: 'ms', value: 1_800_000 });
  assert.deepEqual(parseClockSpan('P1DT2H'), { unit: 'ms', value: 93_600_000 });
  assert.deepEqual(parseClockSpan('P1M'), { unit: 'months', value: 1 });
  assert.deepEqual(parseClockSpan('4BD'), { unit: 'business-days', value: 4 });
  for (const bad of ['P1M2D', 'P1MT1H', 'PT0S', 'P', '72h', '', 'P0M']) assert.equal(parseClockSpan(bad), undefined, bad);
});

test('reminders at 50 %, 80 %, one hour before (long windows only) and once when overdue', () => {
  const start = at('2026-03-02T00:00:00Z');
  const long = reminderSchedule(start, at('2026-03-05T00:00:00Z'));
  assert.deepEqual(
    long.map((r) => [r.kind, r.at.toISOString()]),
    [
      ['half', '2026-03-03T12:00:00.000Z'],
      ['eighty-percent', '2026-03-04T09:36:00.000Z'],
      ['hour-before', '2026-03-04T23:00:00.000Z'],
      ['overdue', '2026-03-05T00:00:00.000Z'],
    ],
  );
  const short = reminderSchedule(start, at('2026-03-02T02:00:00Z'));
  assert.deepEqual(short.map((r) => r.kind), ['half', 'eighty-percent', 'overdue']);
});

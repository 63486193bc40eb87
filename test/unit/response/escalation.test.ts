import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dueEscalations, escalationSchedule, escalationSchema } from '../../../src/response/escalation';

const lead = '11111111-1111-1111-1111-111111111111';
const policy = escalationSchema.parse({
  High: [{ after: 'PT15M', mention: [lead] }, { after: 'PT30M', conversationId: '19:leads@thread.tacv2', personal: [lead] }],
});

test('steps fall due after their delay from the start, and stop at the acknowledgement', () => {
  const start = new Date('2026-03-02T10:00:00Z');
  const schedule = escalationSchedule(policy, 'High', start);
  assert.deepEqual(schedule.map((s) => s.dueAt.toISOString()), ['2026-03-02T10:15:00.000Z', '2026-03-02T10:30:00.000Z']);
  assert.deepEqual(dueEscalations(schedule, new Set(), false, new Date('2026-03-02T10:14:59Z')), []);
  assert.deepEqual(dueEscalations(schedule, new Set(), false, new Date('2026-03-02T10:16:00Z')).map((s) => s.index), [0]);
  assert.deepEqual(dueEscalations(schedule, new Set([0]), false, new Date('2026-03-02T10:31:00Z')).map((s) => s.index), [1]);
  assert.deepEqual(dueEscalations(schedule, new Set(), true, new Date('2026-03-02T11:00:00Z')), []);
  assert.deepEqual(escalationSchedule(policy, 'Low', start), []);
  assert.equal(schedule[0]?.step.conversationId, undefined, 'the first step reminds in the card thread');
});

test('the policy is checked: later steps come later, people are object ids, no unknown keys', () => {
  const bad = [
    { High: [{ after: 'PT30M' }, { after: 'PT15M' }] },
    { High: [{ after: 'PT15M', mention: ['alex@contoso.com'] }] },
    { High: [{ after: 'PT15M', page: true }] },
    { Critical: [{ after: 'PT15M' }] },
    { High: [{ after: 'PT0S' }] },
  ];
  for (const b of bad) assert.equal(escalationSchema.safeParse(b).success, false, JSON.stringify(b));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenEvent, flatEventToObject } from '../../../src/detections/flatten-event';
import { JsonEventSplitter, splitJsonEvents } from '../../../src/detections/json-stream';

test('Windows XML-to-JSON events flatten to the names rules use', () => {
  const flat = flatEventToObject(
    flattenEvent({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing', Guid: '{5484}' } },
          EventID: { '#attributes': { Qualifiers: 0 }, '#text': 4688 },
          TimeCreated: { '#attributes': { SystemTime: '2025-10-25T17:02:36.900637Z' } },
          Execution: { '#attributes': { ProcessID: 4, ThreadID: 8 } },
          Channel: 'Security',
          Computer: 'host1',
          Security: null,
        },
        EventData: {
          Data: [
            { '#attributes': { Name: 'NewProcessName' }, '#text': 'C:\\Windows\\System32\\cmd.exe' },
            { '#attributes': { Name: 'CommandLine' }, '#text': 'cmd /c whoami' },
          ],
        },
      },
    }),
  );
  assert.equal(flat.EventID, 4688);
  assert.equal(flat.EventID_Qualifiers, 0);
  assert.equal(flat.Provider_Name, 'Microsoft-Windows-Security-Auditing');
  assert.equal(flat.TimeCreated_SystemTime, '2025-10-25T17:02:36.900637Z');
  assert.equal(flat.Execution_ProcessID, 4);
  assert.equal(flat.Channel, 'Security');
  assert.equal(flat.NewProcessName, 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(flat.CommandLine, 'cmd /c whoami');
  assert.equal(flat.Security, null);
});

test('EventData keyed by name, UserData hoisted, and unnamed Data kept', () => {
  const flat = flatEventToObject(
    flattenEvent({
      Event: {
        System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
        EventData: { '#attributes': { Name: 'x' }, Image: 'a.exe', Data: ['one', 'two'] },
        UserData: { RuleAndFileData: { PolicyName: 'EXE' } },
      },
    }),
  );
  assert.equal(flat.Image, 'a.exe');
  assert.deepEqual(flat.Data, ['one', 'two']);
  assert.equal(flat.PolicyName, 'EXE');
});

test('other JSON flattens with dotted paths', () => {
  const flat = flatEventToObject(flattenEvent({ a: { b: { c: 1 } }, list: [{ x: 1 }, { x: 2 }], tags: ['p', 'q'] }));
  assert.deepEqual(flat, { 'a.b.c': 1, 'list.x': [1, 2], tags: ['p', 'q'] });
});

const pretty = `{
  "a": 1,
  "s": "brace } and [ in a string \\" quoted"
}
{
  "a": 2
}`;

test('one object, an array, JSON Lines and concatenated pretty-printed objects all split into events', () => {
  const values = (text: string) => splitJsonEvents(text).map((i) => (i.kind === 'event' ? i.value.a : `error: ${i.message}`));
  assert.deepEqual(values('{"a":1}'), [1]);
  assert.deepEqual(values('[{"a":1},\n {"a":2}]'), [1, 2]);
  assert.deepEqual(values('{"a":1}\n{"a":2}\r\n{"a":3}\n'), [1, 2, 3]);
  assert.deepEqual(values(pretty), [1, 2]);
  assert.deepEqual(values('\ufeff{"a":1}'), [1]);
});

test('chunks may split an event anywhere', () => {
  const s = new JsonEventSplitter();
  const out = [];
  const text = `${pretty}\n[{"a":3},{"a":4}]`;
  for (let i = 0; i < text.length; i += 3) out.push(...s.push(text.slice(i, i + 3)));
  out.push(...s.end());
  assert.deepEqual(
    out.map((i) => (i.kind === 'event' ? i.value.a : i.message)),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    out.map((i) => i.index),
    [0, 1, 2, 3],
  );
});

test('bad input is reported with its line, and reading resumes on the next line', () => {
  const items = splitJsonEvents('{"a":1}\nnot json\n{"a":2}\n{"a": tru}\n{"a":3');
  assert.deepEqual(
    items.map((i) => [i.kind, i.line]),
    [
      ['event', 1],
      ['error', 2],
      ['event', 3],
      ['error', 4],
      ['error', 5],
    ],
  );
  const last = items[items.length - 1];
  assert.ok(last?.kind === 'error' && /ends inside an event/.test(last.message));
});

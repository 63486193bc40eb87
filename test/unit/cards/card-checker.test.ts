import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cardProblems, officialProblems, registeredAction } from './card-checker';

const good = {
  type: 'AdaptiveCard',
  version: '1.5',
  body: [{ type: 'TextBlock', text: 'hello' }],
  actions: [{ type: 'Action.Execute', title: 'Go', verb: 'incident.refresh', data: { incidentId: 'x' } }],
};

function withAction(action: Record<string, unknown>): Record<string, unknown> {
  return { ...good, actions: [action] };
}

test('a well-formed card with Action.Execute has no problems (the parser knows Action.Execute at 1.5)', () => {
  assert.deepEqual(cardProblems(good), []);
});

test('a misspelt action type is reported by the official parser', () => {
  const problems = officialProblems(withAction({ type: 'Action.Exectue', title: 'Go', verb: 'v' }));
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /UnknownActionType.*Action\.Exectue/);
});

test('an unknown element type, more than five actions and duplicate ids are reported', () => {
  assert.match(officialProblems({ ...good, body: [{ type: 'TextBlok', text: 'x' }] }).join('\n'), /UnknownElementType/);
  const six = Array.from({ length: 6 }, (_, i) => ({ type: 'Action.Execute', title: `a${i}`, verb: `v${i}` }));
  assert.match(officialProblems({ ...good, actions: six }).join('\n'), /TooManyActions/);
  const dup = [
    { type: 'Input.Text', id: 'comment', label: 'a' },
    { type: 'Input.Text', id: 'comment', label: 'b' },
  ];
  assert.match(officialProblems({ ...good, body: dup }).join('\n'), /DuplicateId/);
});

test('Action.Execute is registered in the GlobalRegistry for 1.4+, and the parse honours the version', () => {
  assert.deepEqual(registeredAction('Action.Execute'), { typeName: 'Action.Execute', schemaVersion: '1.4' });
  assert.equal(registeredAction('Action.Exectue'), undefined);
  // The same card parsed for a 1.3 host: Action.Execute is unknown there, so the version is in effect.
  assert.match(officialProblems(good, '1.3').join('\n'), /UnknownActionType.*Action\.Execute/);
});

test("Argus's own rules catch Submit actions, missing verbs, unbound bindings and leftover template keys", () => {
  assert.match(cardProblems(withAction({ type: 'Action.Submit', title: 'Go', data: {} })).join('\n'), /Action\.Submit is not allowed/);
  assert.match(cardProblems(withAction({ type: 'Action.Execute', title: 'Go' })).join('\n'), /without a verb/);
  assert.match(cardProblems({ ...good, body: [{ type: 'TextBlock', text: 'Owner: ${owner}' }] }).join('\n'), /unbound/);
  assert.match(cardProblems({ ...good, body: [{ type: 'TextBlock', text: 'x', $when: 'true' }] }).join('\n'), /\$when/);
  assert.match(cardProblems({ ...good, version: '1.6' }).join('\n'), /version 1\.5/);
});

test('a card over 28 KB is reported', () => {
  const big = { ...good, body: [{ type: 'TextBlock', text: 'x'.repeat(29 * 1024) }] };
  assert.match(cardProblems(big).join('\n'), /bytes is over 28672/);
});

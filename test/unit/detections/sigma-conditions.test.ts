import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isArgusError } from '../../../src/errors/catalog';
import { compile, firstMatch, matcher, ruleText } from './sigma-fixtures';

const sels = `
a:
    A: 1
b:
    B: 1
c:
    C: 1
`;

test('not binds tighter than and, and tighter than or', () => {
  const m = matcher(`${sels}condition: a or b and not c`);
  assert.equal(m({ A: 1, C: 1 }), true);
  assert.equal(m({ B: 1, C: 1 }), false);
  assert.equal(m({ B: 1 }), true);
  const p = matcher(`${sels}condition: (a or b) and not c`);
  assert.equal(p({ A: 1, C: 1 }), false);
  assert.equal(p({ A: 1 }), true);
  const nn = matcher(`${sels}condition: not not a`);
  assert.equal(nn({ A: 1 }), true);
});

test('1 of / any of / all of patterns, and `them` skipping _-prefixed identifiers', () => {
  const body = `
selection_img:
    Image|endswith: '\\x.exe'
selection_cli:
    CommandLine|contains: evil
filter_main_a:
    User: SYSTEM
filter_main_b:
    User: svc
_helper:
    Never: here
`;
  const all = matcher(`${body}condition: all of selection_* and not 1 of filter_main_*`);
  assert.equal(all({ Image: 'c:\\x.exe', CommandLine: 'evil', User: 'bob' }), true);
  assert.equal(all({ Image: 'c:\\x.exe', CommandLine: 'evil', User: 'svc' }), false);
  assert.equal(all({ Image: 'c:\\x.exe', CommandLine: 'good' }), false);
  const any = matcher(`${body}condition: any of selection*`);
  assert.equal(any({ CommandLine: 'evil' }), true);
  const them = matcher(`${body}condition: 1 of them`);
  assert.equal(them({ Never: 'here' }), false, '_helper is not part of them');
  assert.equal(them({ User: 'svc' }), true);
  const allThem = matcher(`
a:
    A: 1
_b:
    B: 1
condition: all of them`);
  assert.equal(allThem({ A: 1 }), true);
  const underscorePattern = matcher(`${body}condition: 1 of _help*`);
  assert.equal(underscorePattern({ Never: 'here' }), true, 'an explicit pattern may name _ identifiers');
});

test('a list of conditions is an OR', () => {
  const m = matcher(`${sels}condition:
    - a and b
    - c`);
  assert.equal(m({ A: 1, B: 1 }), true);
  assert.equal(m({ C: 1 }), true);
  assert.equal(m({ A: 1 }), false);
});

test('operators are case-insensitive words', () => {
  const m = matcher(`${sels}condition: a AND NOT b`);
  assert.equal(m({ A: 1 }), true);
  assert.equal(m({ A: 1, B: 1 }), false);
});

test('an explanation names the rule, the true selections and the field, value and modifiers that matched', () => {
  const engine = compile(
    ruleText(`
selection_img:
    - Image|endswith: '\\certutil.exe'
    - OriginalFileName: 'CertUtil.exe'
selection_flags:
    CommandLine|contains:
        - 'urlcache '
        - 'verifyctl '
filter:
    User: SYSTEM
condition: all of selection_* and not filter`),
  );
  const match = firstMatch(engine, { Image: 'C:\\Windows\\System32\\certutil.exe', CommandLine: 'certutil -urlcache -f http://x a', User: 'bob' });
  assert.ok(match);
  assert.equal(match.rule.id, '6f1e1a9c-0000-4000-8000-000000000001');
  assert.equal(match.rule.level, 'high');
  assert.deepEqual(match.rule.tags, ['attack.execution', 'attack.t1059']);
  const e = match.explanation;
  assert.equal(e.condition, 'all of selection_* and not filter');
  assert.deepEqual(e.matchedSelections, ['selection_img', 'selection_flags']);
  assert.deepEqual(e.unmatchedSelections, ['filter']);
  assert.deepEqual(e.matches, [
    { selection: 'selection_img', field: 'Image', eventField: 'Image', modifiers: ['endswith'], value: '\\certutil.exe', actual: 'C:\\Windows\\System32\\certutil.exe' },
    { selection: 'selection_flags', field: 'CommandLine', eventField: 'CommandLine', modifiers: ['contains'], value: 'urlcache ', actual: 'certutil -urlcache -f http://x a' },
  ]);
});

function refused(detection: string, reason: RegExp, extra = ''): void {
  assert.throws(
    () => compile(ruleText(detection, extra)),
    (err: unknown) => {
      assert.ok(isArgusError(err, 'ARGUS_CONFIG_INVALID'), String(err));
      assert.match(err.message, /test-rule\.yml/);
      assert.match(err.message, reason);
      return true;
    },
  );
}

test('unsupported or broken constructs fail at load, naming the rule and the reason', () => {
  refused(`sel:\n    A|nosuch: x\ncondition: sel`, /unknown modifier 'nosuch'/);
  refused(`sel:\n    A|expand: '%Servers%'\ncondition: sel`, /placeholders/);
  refused(`sel:\n    A: x\ncondition: sel | count() > 5`, /aggregation/);
  refused(`sel:\n    A: x\nsel2:\n    B: y\ncondition: sel near sel2`, /unexpected 'near'|'near' is not supported/);
  refused(`sel:\n    A: x\ncondition: sel and other`, /'other'/);
  refused(`sel:\n    A: x\ncondition: 1 of filter_*`, /matches no search identifier/);
  refused(`sel:\n    A: x\ncondition: 2 of sel*`, /'2 of' is not supported/);
  refused(`sel:\n    A: []\ncondition: sel`, /empty list/);
  refused(`sel:\n    A|re: 'a++'\ncondition: sel`, /possessive/);
  refused(`sel:\n    A|re: '(?>a)'\ncondition: sel`, /atomic/);
  refused(`sel:\n    A|re: '\\p{L}'\ncondition: sel`, /Unicode property/);
  refused(`sel:\n    A|re: '(unclosed'\ncondition: sel`, /invalid regular expression/);
  refused(`sel:\n    A|contains|base64: x\ncondition: sel`, /cannot encode a value with wildcards/);
  refused(`sel:\n    A|contains|re: x\ncondition: sel`, /'re' must be the first modifier/);
  refused(`sel:\n    A|cidr: 10.0.0.0/33\ncondition: sel`, /prefix/);
  refused(`sel:\n    A|gt: abc\ncondition: sel`, /needs a number/);
  refused(`sel:\n    A|i: x\ncondition: sel`, /flag of 're'/);
  refused(`sel:\n    A|exists: yes please\ncondition: sel`, /true or false/);
  refused(`sel:\n    - x\ncondition: (sel`, /missing '\)'/);
  refused(`sel:\n    A: x\n`, /no condition/);
  refused(`sel:\n    A: x\ncondition: sel\ntimeframe: 5m`, /timeframe/);
});

test('correlation rules and rule collections are refused by name', () => {
  assert.throws(() => compile('title: c\ncorrelation:\n    type: event_count\n'), /correlation rules are not supported/);
  assert.throws(() => compile('title: c\naction: global\nlogsource: {product: test}\n'), /rule collections/);
});

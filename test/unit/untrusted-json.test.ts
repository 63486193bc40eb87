import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson } from '../../src/audit/canonical-json';
import { maxJsonDepth, nestsDeeperThan, parseUntrustedJson } from '../../src/ingress/untrusted-json';
import { commentText } from '../../src/ticketing/jira/jira-webhook';
import { deepText } from '../helpers/hostile-bodies';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('nesting of untrusted JSON is measured without recursion', () => {
  test('the depth of arrays and objects is counted exactly, up to and past the limit', () => {
    for (const shape of ['array', 'object', 'mixed'] as const) {
      assert.equal(nestsDeeperThan(bytes(deepText(shape, 64)), 64), false, `${shape}: 64 levels are allowed`);
      assert.equal(nestsDeeperThan(bytes(deepText(shape, 66)), 64), true, `${shape}: 66 levels are not`);
    }
    assert.equal(nestsDeeperThan(bytes(`[${'[1],'.repeat(10_000)}[1]]`), 2), false, 'width is not depth');
    assert.equal(nestsDeeperThan(bytes(deepText('array', 1_000_000)), 64), true);
  });

  test('brackets inside strings do not count, whatever the escapes and the characters around them', () => {
    const inString = (s: string) => bytes(JSON.stringify({ text: s }));
    assert.equal(nestsDeeperThan(inString('[{'.repeat(1000)), 2), false);
    assert.equal(nestsDeeperThan(inString(`"${'['.repeat(100)}`), 2), false, 'an escaped quote does not end the string');
    assert.equal(nestsDeeperThan(inString(`\\${'['.repeat(100)}`), 2), false, 'an escaped backslash before brackets');
    assert.equal(nestsDeeperThan(bytes(`{"a":"\\\\","b":${deepText('array', 3)}}`), 3), true, 'a string ending in a backslash ends there');
    assert.equal(nestsDeeperThan(inString(`€😀ü${'['.repeat(100)}`), 2), false, 'multi-byte characters are opaque');
    assert.equal(nestsDeeperThan(bytes(`{"k€😀":${deepText('object', 5)}}`), 5), true);
  });

  test('a body nested too deeply is a 400 saying so, before anything is built', () => {
    const result = parseUntrustedJson(bytes(deepText('object', maxJsonDepth + 1)));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'too-deep');
    assert.equal(result.error.code, 'ARGUS_BAD_PAYLOAD');
    assert.match(result.error.details[0]?.message ?? '', /nest more than 64 levels/);
    const broken = parseUntrustedJson(bytes('{"a":'));
    assert.ok(!broken.ok && broken.reason === 'invalid-json' && broken.error.code === 'ARGUS_BAD_PAYLOAD');
    const fine = parseUntrustedJson(bytes(deepText('array', maxJsonDepth)));
    assert.ok(fine.ok);
  });

  test('__proto__ keys are dropped, also when spelled with escapes; other keys stay plain data', () => {
    const result = parseUntrustedJson(bytes('{"a":{"__proto__":{"x":1},"b":2},"\\u005f_proto__":{"y":1},"constructor":{"prototype":{"z":1}}}'));
    assert.ok(result.ok);
    const value = result.value as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(value), ['a', 'constructor']);
    assert.deepEqual(Object.keys(value.a!), ['b']);
    assert.equal(Object.getPrototypeOf(value.a), Object.prototype);
    assert.deepEqual(value.constructor, { prototype: { z: 1 } }, 'an own data property, nothing more');
    assert.equal(({} as Record<string, unknown>).x ?? ({} as Record<string, unknown>).z, undefined);
  });
});

describe('walks over received data survive any depth', () => {
  test('Jira comment text is gathered from an arbitrarily deep document in order', () => {
    const adf = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one ' }, { type: 'text', text: 'two' }] }, { type: 'paragraph', content: [{ type: 'text', text: 'three' }] }] };
    assert.equal(commentText(adf), 'one two\nthree');
    assert.equal(commentText('wiki text'), 'wiki text');
    const deep = JSON.parse(deepText('adf', 100_000)) as unknown;
    assert.equal(commentText(deep), 'x');
  });

  test('canonical JSON refuses nesting beyond 512 levels with a TypeError, not a stack overflow', () => {
    let value: unknown = 1;
    for (let i = 0; i < 512; i += 1) value = { a: value };
    assert.equal(canonicalJson(value).length, 512 * 5 + 1 + 512);
    for (let i = 0; i < 10_000; i += 1) value = [value];
    assert.throws(() => canonicalJson(value), (err) => err instanceof TypeError && /nests at most 512 levels/.test(err.message));
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupEntities } from '../../../src/cards/entity-groups';
import { cardDateTime, humanizeIdentifier, joinLimited, plain, truncate } from '../../../src/cards/text';

test('plain() flattens whitespace, breaks link syntax and truncates', () => {
  assert.equal(plain('  a\n\tb  ', 50), 'a b');
  assert.equal(plain('[x](https://evil) and [y] (z) and [r][1]', 100), '[x] (https://evil) and [y] (z) and [r] [1]');
  assert.equal(plain('abcdef', 4), 'abc…');
  assert.equal(plain(undefined, 4), '');
});

test('truncate() never splits a surrogate pair', () => {
  assert.equal(truncate('🛡️🛡️🛡️', 3), '🛡️…');
  assert.equal(truncate('😀😀😀', 2), '😀…');
  assert.equal(truncate('abc', 0), '');
});

test('joinLimited() shows "+N more" for the rest', () => {
  assert.equal(joinLimited(['a', 'b', 'c'], 2), 'a, b +1 more');
  assert.equal(joinLimited(['a', 'b'], 2), 'a, b');
  assert.equal(joinLimited(['a', 'b'], 0), '+2 more');
  assert.equal(joinLimited([], 3), '');
});

test('cardDateTime() produces DATE/TIME functions Adaptive Cards accept (no fractional seconds)', () => {
  assert.equal(cardDateTime('2026-11-21T09:05:02.331Z'), '{{DATE(2026-11-21T09:05:02Z, SHORT)}} {{TIME(2026-11-21T09:05:02Z)}}');
  assert.equal(cardDateTime('2026-11-21T10:05:02+01:00'), '{{DATE(2026-11-21T09:05:02Z, SHORT)}} {{TIME(2026-11-21T09:05:02Z)}}');
  assert.equal(cardDateTime('yesterday'), 'yesterday');
  assert.equal(cardDateTime(undefined), 'unknown');
});

test('humanizeIdentifier() turns Sentinel identifiers into words', () => {
  assert.equal(humanizeIdentifier('CommandAndControl'), 'Command and control');
  assert.equal(humanizeIdentifier('InitialAccess'), 'Initial access');
  assert.equal(humanizeIdentifier('TruePositive'), 'True positive');
  assert.equal(humanizeIdentifier('PreAttack'), 'Pre attack');
});

test('groupEntities() orders key kinds first, dedupes names and folds extra kinds', () => {
  const e = (kind: string, displayName: string) => ({ kind, id: `${kind}:${displayName}`, displayName, properties: {} });
  const facts = groupEntities(
    [e('Mailbox', 'm1'), e('Ip', '10.0.0.1'), e('Host', 'h1'), e('Host', 'h1'), e('Host', 'h2'), e('Odd', 'o1'), e('Odd', 'o2'), e('Zed', 'z')],
    { namesPerKind: 1, maxKinds: 4, nameLength: 50 },
  );
  assert.deepEqual(facts, [
    { title: 'Hosts (2)', value: 'h1 +1 more' },
    { title: 'IP addresses (1)', value: '10.0.0.1' },
    { title: 'Odd (2)', value: 'o1 +1 more' },
    { title: 'Mailboxes (1)', value: 'm1' },
    { title: 'Other kinds (1)', value: '+1 more' },
  ]);
});

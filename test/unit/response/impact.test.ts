import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assessImpact, impactInputSchema } from '../../../src/response/impact';

const form = (over: Record<string, unknown> = {}) =>
  impactInputSchema.parse({ financial: 'none', operational: 'none', reputational: 'none', ...over });

test('the worst dimension decides the level and the suggested severity, and the rule names it', () => {
  const a = assessImpact(form({ financial: 'lt-10k', operational: 'major', affectedUsers: '12', downtimeMinutes: '30' }));
  assert.equal(a.level, 'high');
  assert.equal(a.suggestedSeverity, 'High');
  assert.equal(a.rule, 'Impact is the worst dimension (each scored 0–4): operational major → 3 (high).');
  assert.deepEqual(a.scores, { financial: 1, operational: 3, reputational: 0, assets: 0, users: 2, downtime: 1, regulatory: 0 });
});

test('a regulated incident is at least moderate; nothing at all is none / Informational', () => {
  const regulated = assessImpact(form({ reputational: 'low', regimes: 'gdpr, NIS2' }));
  assert.equal(regulated.level, 'moderate');
  assert.equal(regulated.suggestedSeverity, 'Medium');
  assert.deepEqual(regulated.input.regimes, ['gdpr', 'nis2']);
  assert.match(regulated.rule, /regulatory GDPR\/NIS2 → 2 \(moderate\)/);
  const none = assessImpact(form());
  assert.equal(none.level, 'none');
  assert.equal(none.suggestedSeverity, 'Informational');
  assert.equal(none.rule, 'No dimension shows impact.');
});

test('critical: over 1M, a thousand users or a day down', () => {
  assert.equal(assessImpact(form({ financial: 'gt-1m' })).level, 'critical');
  assert.equal(assessImpact(form({ affectedUsers: 1000 })).level, 'critical');
  assert.equal(assessImpact(form({ downtimeMinutes: '1440' })).level, 'critical');
  assert.equal(assessImpact(form({ affectedAssets: 4 })).level, 'low');
});

test('bad answers are refused with the field named', () => {
  for (const [over, path] of [
    [{ financial: 'lots' }, 'financial'],
    [{ regimes: 'gdpr,ccpa' }, 'regimes'],
    [{ affectedUsers: '-3' }, 'affectedUsers'],
    [{ downtimeMinutes: '1.5' }, 'downtimeMinutes'],
  ] as const) {
    const r = impactInputSchema.safeParse(Object.assign({ financial: 'none', operational: 'none', reputational: 'none' }, over));
    assert.equal(r.success, false);
    assert.equal(r.error?.issues[0]?.path[0], path);
  }
});

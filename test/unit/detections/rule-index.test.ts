import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DetectionEngine } from '../../../src/detections/engine';
import { compile, loadSigmaCases, ruleText } from './sigma-fixtures';

/**
 * The engine pre-selects rules by values they require (`Image|endswith: '\x.exe'`,
 * `OriginalFileName: x`). It may only skip rules that cannot match: results must be identical
 * to evaluating every rule of the logsource.
 */
const cases = loadSigmaCases();

function variants(event: Record<string, unknown>): Record<string, unknown>[] {
  const data = (event.Event as { EventData?: Record<string, unknown> } | undefined)?.EventData;
  if (!data) return [event];
  const withData = (d: Record<string, unknown>) => ({ ...event, Event: { ...(event.Event as object), EventData: { ...data, ...d } } });
  const image = typeof data.Image === 'string' ? data.Image : '';
  const base = image.split('\\').pop() ?? '';
  return [
    event,
    withData({ Image: base }), // no folder: `endswith '\x.exe'` must not match, the index may still let it through
    withData({ Image: image.toUpperCase() }),
    withData({ Image: [image, 'C:\\other.exe'] }),
    withData({ OriginalFileName: undefined }),
    withData({ Image: `${image}\\` }),
  ];
}

test('pre-selection by required values never changes what matches', () => {
  const rules = cases.map((c) => c.rule);
  const indexed = new DetectionEngine(rules);
  const exhaustive = new DetectionEngine(rules, { prefilter: false });
  let compared = 0;
  let matched = 0;
  for (const c of cases) {
    for (const e of c.events.flatMap(variants)) {
      const a = indexed.evaluate(e).matches;
      const b = exhaustive.evaluate(e).matches;
      assert.deepEqual(
        a.map((m) => [m.rule.id, m.explanation]),
        b.map((m) => [m.rule.id, m.explanation]),
        c.name,
      );
      compared++;
      matched += a.length;
    }
  }
  assert.ok(compared > 500 && matched > 300, `${compared} events compared, ${matched} matches`);
});

test('a rule is found through each of its alternative required values, and only through them', () => {
  const text = ruleText(`
selection_img:
    - Image|endswith: ['\\\\a.exe', '\\\\b.exe']
    - OriginalFileName: 'orig.exe'
selection_cli:
    CommandLine|contains: x
condition: all of selection_*`);
  // Enough unrelated rules that the index is used.
  const fillers = Array.from({ length: 8 }, (_, i) => ruleText(`sel:\n    Image|endswith: '\\\\filler${i}.exe'\ncondition: sel`).replace(/^id: .*$/m, `id: filler-${i}`));
  const engine = compile([text, ...fillers].join('---\n'));
  const hit = (e: Record<string, unknown>) => engine.evaluate(e).matches.map((m) => m.rule.id);
  assert.deepEqual(hit({ Image: 'C:\\A.EXE', CommandLine: 'x' }), ['6f1e1a9c-0000-4000-8000-000000000001']);
  assert.deepEqual(hit({ Image: 'C:\\dir\\b.exe', CommandLine: 'x' }), ['6f1e1a9c-0000-4000-8000-000000000001']);
  assert.deepEqual(hit({ Image: 'C:\\renamed.exe', OriginalFileName: 'ORIG.exe', CommandLine: 'x' }), ['6f1e1a9c-0000-4000-8000-000000000001']);
  assert.deepEqual(hit({ Image: 'a.exe', CommandLine: 'x' }), []);
  assert.deepEqual(hit({ Image: 'C:\\xa.exe', CommandLine: 'x' }), []);
  assert.deepEqual(hit({ Image: 'C:\\filler3.exe' }), ['filler-3']);
});

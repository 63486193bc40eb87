import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { previewSamples, renderSamples } from '../../src/cli/cards-preview/preview-samples';
import { findChromium } from '../../src/cli/cards-preview/render-in-browser';
import { isArgusError } from '../../src/errors/catalog';
import { cardProblems } from './cards/card-checker';

/** The card previews' inputs, checked without a browser: every sample renders to a valid card. */
test('every card template has a preview sample', () => {
  const templates = readdirSync(path.resolve(__dirname, '../../cards')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  const names = new Set(previewSamples().map((s) => s.name));
  for (const t of templates) assert.ok(names.has(t), `cards/${t}.json has no preview sample in src/cli/cards-preview/preview-samples.ts`);
});

test('each sample renders through its card\'s render function to a card the official parser accepts', async () => {
  const { cards, skipped } = await renderSamples(previewSamples());
  assert.ok(cards.length >= 5, `rendered ${cards.map((c) => c.name).join(', ')}; skipped ${skipped.map((s) => s.name).join(', ')}`);
  for (const { name, card } of cards) assert.deepEqual(cardProblems(card), [], name);
  const incident = JSON.stringify(cards.find((c) => c.name === 'incident')?.card);
  assert.match(incident, /Ransomware behaviour/);
  assert.match(incident, /Acknowledged by Rui Responder/);
});

test('a sample whose render function does not exist is skipped, not fatal', async () => {
  const { cards, skipped } = await renderSamples([
    { name: 'missing-module', module: 'no-such-card', render: 'renderNothing', view: {} },
    { name: 'missing-export', module: 'index', render: 'renderNothing', view: {} },
  ]);
  assert.deepEqual(cards, []);
  assert.deepEqual(skipped.map((s) => s.name), ['missing-module', 'missing-export']);
});

test('without Chromium the tool says how to install it', () => {
  assert.throws(() => findChromium('/nonexistent/chromium'), (err) => isArgusError(err, 'ARGUS_DEPENDENCY_FAILED') && /apt-get install -y chromium/.test(err.message));
});

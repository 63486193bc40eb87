import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ArgusError } from '../errors/catalog';
import { writeLine, type CliCommand } from './command';
import { previewSamples, renderSamples } from './cards-preview/preview-samples';
import { findChromium, renderCardsInBrowser } from './cards-preview/render-in-browser';

const usage = 'argus cards-preview [--out docs/cards] [--only NAME[,NAME…]] [--chromium PATH]';

/**
 * `argus cards-preview` (npm run cards:preview): every card, rendered from sample data by its
 * own render function and drawn by the official Adaptive Cards renderer in headless Chromium,
 * written as docs/cards/<name>.png.
 */
export const cardsPreviewCommand: CliCommand = {
  name: 'cards-preview',
  summary: 'Render every card with sample data to PNG (headless Chromium) for the docs',
  usage,
  async run(args, io) {
    let values: { out?: string; only?: string; chromium?: string };
    try {
      ({ values } = parseArgs({ args, options: { out: { type: 'string' }, only: { type: 'string' }, chromium: { type: 'string' } } }));
    } catch (err) {
      throw new ArgusError('ARGUS_BAD_REQUEST', `${(err as Error).message}; usage: ${usage}`);
    }
    const chromiumPath = findChromium(values.chromium ?? io.env.CHROMIUM_PATH);
    const outDir = path.resolve(io.cwd, values.out ?? 'docs/cards');
    const only = values.only?.split(',').map((s) => s.trim());
    const samples = previewSamples().filter((s) => !only || only.includes(s.name));
    if (only && samples.length === 0) throw new ArgusError('ARGUS_BAD_REQUEST', `no card named ${only.join(', ')}`);

    const { cards, skipped } = await renderSamples(samples);
    for (const s of skipped) writeLine(io.stderr, `skipped ${s.name}: src/cards/${s.module} has no ${s.render}`);
    const rendered = await renderCardsInBrowser(cards, { chromiumPath });
    mkdirSync(outDir, { recursive: true });
    for (const r of rendered) {
      const file = path.join(outDir, `${r.name}.png`);
      writeFileSync(file, r.png);
      writeLine(io.stdout, `wrote ${path.relative(io.cwd, file)} (${r.png.length} bytes)`);
      for (const w of r.warnings) writeLine(io.stderr, `  ${r.name}: ${w}`);
    }
    return rendered.some((r) => r.warnings.length > 0) ? 1 : 0;
  },
};

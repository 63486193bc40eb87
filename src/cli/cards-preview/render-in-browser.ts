import { existsSync } from 'node:fs';
import { ArgusError } from '../../errors/catalog';
import { teamsLightHostConfig } from './host-config';

/**
 * Renders card JSON to PNG with the official Adaptive Cards JavaScript renderer (the
 * `adaptivecards` package) in headless Chromium, driven by playwright-core. A docs tool: the
 * tests never need a browser.
 */
export interface RenderedCard {
  name: string;
  png: Buffer;
  /** What the renderer reported while parsing (unknown elements, bad values…). */
  warnings: string[];
}

/** What the page functions use of the browser (this project compiles without the DOM library). */
interface BrowserGlobals {
  document: {
    getElementById(id: string): { replaceChildren(): void; appendChild(node: unknown): void } | null;
    fonts: { ready: Promise<unknown> };
  };
  AdaptiveCards: {
    AdaptiveCard: {
      new (): { hostConfig: unknown; parse(json: unknown, context: unknown): void; render(): unknown };
      onProcessMarkdown: (text: string, result: { outputHtml: string; didProcess: boolean }) => void;
    };
    HostConfig: new (config: unknown) => unknown;
    SerializationContext: new () => { eventCount: number; getEventAt(i: number): { message: unknown } };
  };
}

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export function findChromium(explicit?: string): string {
  const found = explicit ?? candidates.find((c) => existsSync(c));
  if (!found || !existsSync(found))
    throw new ArgusError(
      'ARGUS_DEPENDENCY_FAILED',
      `no Chromium found${explicit ? ` at ${explicit}` : ''}: install it (Debian/Ubuntu: apt-get install -y chromium) or pass --chromium PATH (or CHROMIUM_PATH)`,
    );
  return found;
}

const pageHtml = `<!doctype html>
<html><head><meta charset="utf-8"><style>
  body { margin: 0; padding: 16px; background: #f5f5f5; font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
  #frame { width: 600px; background: #fff; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.18); padding: 2px 0; }
  .ac-pushButton { border: 1px solid #d1d1d1; border-radius: 4px; background: #fff; padding: 4px 12px; font: 600 14px "Segoe UI", Arial, sans-serif; color: #242424; }
  .ac-pushButton.style-positive { background: #5b5fc7; border-color: #5b5fc7; color: #fff; }
  .ac-pushButton.style-destructive { color: #c4314b; border-color: #c4314b; }
  a { color: #5b5fc7; }
  /* Teams wraps long values and action rows instead of cutting them off. */
  .ac-textBlock { overflow-wrap: anywhere !important; }
  .ac-actionSet { flex-wrap: wrap !important; row-gap: 8px; }
</style></head><body><div id="frame"></div></body></html>`;

export async function renderCardsInBrowser(
  cards: Array<{ name: string; card: Record<string, unknown> }>,
  options: { chromiumPath: string },
): Promise<RenderedCard[]> {
  const { chromium } = await import('playwright-core');
  // Chromium's sandbox needs user namespaces, which root in a container usually lacks.
  const args = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  const browser = await chromium.launch({ executablePath: options.chromiumPath, args });
  try {
    const tab = await browser.newPage({ viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });
    await tab.setContent(pageHtml);
    await tab.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
    const out: RenderedCard[] = [];
    for (const { name, card } of cards) {
      const warnings = await tab.evaluate(
        ({ json, hostConfig }) => {
          const page = globalThis as unknown as BrowserGlobals;
          const AC = page.AdaptiveCards;
          // Teams renders a markdown subset in TextBlocks: bold, italic, links.
          AC.AdaptiveCard.onProcessMarkdown = (text: string, result: { outputHtml: string; didProcess: boolean }) => {
            const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
            result.outputHtml = escaped
              .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>')
              .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
              .replace(/(^|\W)_([^_]+)_(?=\W|$)/g, '$1<em>$2</em>')
              .replace(/\n/g, '<br>');
            result.didProcess = true;
          };
          const frame = page.document.getElementById('frame')!;
          frame.replaceChildren();
          const adaptive = new AC.AdaptiveCard();
          adaptive.hostConfig = new AC.HostConfig(hostConfig);
          const context = new AC.SerializationContext();
          adaptive.parse(json, context);
          const element = adaptive.render();
          if (element) frame.appendChild(element);
          const messages: string[] = [];
          for (let i = 0; i < context.eventCount; i += 1) messages.push(String(context.getEventAt(i).message));
          return messages;
        },
        { json: card, hostConfig: teamsLightHostConfig },
      );
      await tab.evaluate(() => (globalThis as unknown as BrowserGlobals).document.fonts.ready.then(() => undefined));
      const png = await tab.locator('#frame').screenshot({ animations: 'disabled' });
      out.push({ name, png, warnings });
    }
    return out;
  } finally {
    await browser.close();
  }
}

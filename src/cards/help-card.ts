import helpTemplate from '../../cards/help.json';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { moreText, plain } from './text';
import type { AdaptiveCardJson, HelpCardView, RenderOptions } from './views';

const budgets = { commands: [40, 20, 10], textLength: [300, 160, 80] } as const;

interface HelpCardData {
  fallbackText: string;
  commands: { usage: string; summary: string; role: string }[];
  more: { enabled: boolean; text: string };
}

const expand = createCardTemplate<HelpCardData>(helpTemplate);

function buildData(view: HelpCardView, level: number): HelpCardData {
  const length = atLevel(budgets.textLength, level);
  const shown = view.commands.slice(0, atLevel(budgets.commands, level));
  const hidden = view.commands.length - shown.length;
  return {
    fallbackText: `Argus commands: ${view.commands.map((c) => c.name).join(', ')}`,
    commands: shown.map((c) => ({
      usage: plain(c.usage, length) || plain(c.name, length),
      summary: plain(c.summary, length),
      role: c.role,
    })),
    more: { enabled: hidden > 0, text: moreText(hidden) },
  };
}

/** The command list: usage, what it does, and the least role that may run it. */
export function renderHelpCard(view: HelpCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard((level) => expand(buildData(view, level)), {
    card: 'help',
    levels: budgets.commands.length,
    maxBytes: options.maxBytes,
  });
}

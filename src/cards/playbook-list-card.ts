import playbookListTemplate from '../../cards/playbook-list.json';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { moreText, plain } from './text';
import type { PlaybookListCardView } from './playbook-views';
import type { AdaptiveCardJson, RenderOptions } from './views';

const budgets = { rows: [40, 20, 10], textLength: [400, 200, 100] } as const;

interface PlaybookListCardData {
  fallbackText: string;
  title: string;
  subtitle: string;
  hasSubtitle: boolean;
  incidentId: string;
  rows: { title: string; detail: string; runnable: boolean; label: string; playbookId: string; entityId: string }[];
  more: { enabled: boolean; text: string };
}

const expand = createCardTemplate<PlaybookListCardData>(playbookListTemplate);

/** The `playbooks` command: the catalog, or what applies to one incident (with a button each). */
export function renderPlaybookListCard(view: PlaybookListCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard(
    (level) => {
      const length = atLevel(budgets.textLength, level);
      const shown = view.rows.slice(0, atLevel(budgets.rows, level));
      const hidden = view.rows.length - shown.length;
      const title = plain(view.title, 200) || 'Playbooks';
      const subtitle = plain(view.subtitle, length);
      return expand({
        fallbackText: `${title}: ${view.rows.map((r) => r.title).join(', ')}`.slice(0, 500),
        title,
        subtitle,
        hasSubtitle: subtitle !== '',
        incidentId: view.incidentId ?? '',
        rows: shown.map((r) => ({
          title: plain(r.title, length),
          detail: plain(r.detail, length),
          runnable: !!r.action && !!view.incidentId,
          label: plain(r.action?.label, 60) || 'Run',
          playbookId: r.action?.playbookId ?? '',
          entityId: r.action?.entityId ?? '',
        })),
        more: { enabled: hidden > 0, text: moreText(hidden) },
      });
    },
    { card: 'playbook list', levels: budgets.rows.length, maxBytes: options.maxBytes },
  );
}

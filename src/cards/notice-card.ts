import noticeTemplate from '../../cards/notice.json';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { plain } from './text';
import type { AdaptiveCardJson, NoticeCardView, NoticeStyle, RenderOptions } from './views';

const budgets = { textLength: [4000, 2000, 500] } as const;

interface NoticeCardData {
  fallbackText: string;
  title: string;
  text: string;
  hasText: boolean;
  style: NoticeStyle;
}

const expand = createCardTemplate<NoticeCardData>(noticeTemplate);

/** A one-off message card, e.g. "Access denied" (attention) or "Subscribed" (good). */
export function renderNoticeCard(view: NoticeCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard(
    (level) => {
      const title = plain(view.title, 200) || 'Argus';
      const text = plain(view.text, atLevel(budgets.textLength, level));
      return expand({ fallbackText: text ? `${title}: ${text}` : title, title, text, hasText: text !== '', style: view.style });
    },
    { card: 'notice', levels: budgets.textLength.length, maxBytes: options.maxBytes },
  );
}

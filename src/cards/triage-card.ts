import triageTemplate from '../../cards/triage.json';
import type { TriageRecord } from '../triage/triage-record';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { cardDateTime, moreText, plain, type TextColor } from './text';
import type { AdaptiveCardJson, NoticeStyle, RenderOptions } from './views';

/** What the triage card shows: the decision record, and whether the viewer gets the buttons. */
export interface TriageCardView {
  record: TriageRecord;
  /** False for a read-only viewer (and once a person has given the verdict). */
  showActions: boolean;
}

interface TriageCardData {
  fallbackText: string;
  eyebrow: string;
  title: string;
  scoreLine: string;
  scoreColor: TextColor;
  alertId: string;
  showActions: boolean;
  showEscalate: boolean;
  facts: { title: string; value: string }[];
  indicatorsHeading: string;
  indicatorLines: { text: string; weight: 'Bolder' | 'Default'; subtle: boolean }[];
  reasons: { text: string }[];
  override: { enabled: boolean; text: string; style: NoticeStyle };
  advice: { enabled: boolean; heading: string; text: string };
}

const budgets = { indicators: [20, 8, 3], reasons: [12, 6, 3], text: [300, 160, 80] } as const;

const expand = createCardTemplate<TriageCardData>(triageTemplate);

const eyebrows = { review: 'Alert triage: review needed', escalate: 'Alert escalated', 'auto-close': 'Alert auto-closed' } as const;
const verdictWords = { true_positive: 'Confirmed (true positive)', false_positive: 'False positive', benign: 'Benign' } as const;
const fmt = (x: number | null) => (x === null ? '–' : String(Number(x.toFixed(3))));

function scoreColor(r: TriageRecord): TextColor {
  if (r.score >= r.thresholds.escalateAtOrAbove) return 'Attention';
  return r.score < r.thresholds.autoCloseBelow ? 'Good' : 'Warning';
}

function indicatorLines(r: TriageRecord, limit: number, textLength: number): TriageCardData['indicatorLines'] {
  const lines: TriageCardData['indicatorLines'] = [];
  for (const i of r.indicators.slice(0, limit)) {
    lines.push({ text: `${i.type} ${plain(i.value, textLength)}`, weight: 'Bolder', subtle: false });
    for (const s of i.sources) {
      const figures = s.probability === null ? 'no evidence' : `p ${fmt(s.probability)} × weight ${fmt(s.weight)}`;
      lines.push({ text: `${plain(s.source, 40)}: ${s.verdict}${s.cached ? ' (cached)' : ''} · ${figures}`, weight: 'Default', subtle: true });
    }
    if (i.sources.length === 0) lines.push({ text: 'not looked up', weight: 'Default', subtle: true });
  }
  if (r.indicators.length > limit) lines.push({ text: moreText(r.indicators.length - limit), weight: 'Default', subtle: true });
  return lines;
}

/**
 * One alert's triage: the score with each source's verdict and weight, the reasons, and the
 * verdict buttons (Confirm / False positive / Benign / Escalate) for a responder. Everything from
 * the alert (title, host, indicator values, reasons naming them) is shown as plain text.
 */
export function renderTriageCard(view: TriageCardView, options: RenderOptions = {}): AdaptiveCardJson {
  const r = view.record;
  const decision = r.decision ?? 'review';
  return fitCard(
    (level) => {
      const textLength = atLevel(budgets.text, level);
      const reasonLimit = atLevel(budgets.reasons, level);
      const title = plain(r.alert.title, textLength);
      const reasons = r.reasons.slice(0, reasonLimit).map((text) => ({ text: `• ${plain(text, textLength)}` }));
      if (r.reasons.length > reasonLimit) reasons.push({ text: moreText(r.reasons.length - reasonLimit) });
      const o = r.override;
      return expand({
        fallbackText: `${eyebrows[decision]}: ${title} (score ${fmt(r.score)})`,
        eyebrow: r.status === 'pending-intel' ? 'Alert triage: waiting for lookups' : eyebrows[decision],
        title,
        scoreLine: `Score ${fmt(r.score)} · ${decision} (auto-close below ${r.thresholds.autoCloseBelow}, escalate at ${r.thresholds.escalateAtOrAbove})`,
        scoreColor: scoreColor(r),
        alertId: r.alertId,
        showActions: view.showActions,
        showEscalate: view.showActions && decision !== 'escalate',
        facts: [
          { title: 'Rule', value: plain(r.ruleId, 120) },
          { title: 'Level', value: plain(r.alert.level, 40) },
          { title: 'Host', value: plain(r.alert.host, 120) || 'unknown' },
          { title: 'Detected', value: cardDateTime(r.alert.detectedAt) },
          { title: 'Alert id', value: plain(r.alertId, 64) },
        ],
        indicatorsHeading: r.indicators.length ? `Indicators (${r.indicators.length})` : 'Indicators: none',
        indicatorLines: indicatorLines(r, atLevel(budgets.indicators, level), textLength),
        reasons,
        override: {
          enabled: o !== undefined,
          text: o ? `${verdictWords[o.verdict]} by ${plain(o.by, 80)} · ${cardDateTime(o.at)}${o.note ? ` · ${plain(o.note, textLength)}` : ''}` : '',
          style: o?.verdict === 'true_positive' ? 'attention' : 'good',
        },
        // The llm's summary is advice from outside text: plain, labelled, never part of the decision.
        advice: {
          enabled: r.llm !== undefined,
          heading: r.llm ? `Advisory summary by ${plain(r.llm.model, 60)} (not part of the decision)` : '',
          text: r.llm ? plain(r.llm.summary, textLength * 2) : '',
        },
      });
    },
    { card: 'triage', levels: budgets.text.length, maxBytes: options.maxBytes },
  );
}

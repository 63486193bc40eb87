import approvalTemplate from '../../cards/approval.json';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { cardDateTime, plain } from './text';
import type { ApprovalCardView } from './playbook-views';
import type { AdaptiveCardJson, NoticeStyle, RenderOptions } from './views';

const budgets = { titleLength: [200, 120, 80], descriptionLength: [600, 300, 0], noticeLength: [400, 200, 120] } as const;

interface ApprovalCardData {
  fallbackText: string;
  eyebrow: string;
  title: string;
  description: string;
  hasDescription: boolean;
  incidentId: string;
  runId: string;
  pending: boolean;
  facts: { title: string; value: string }[];
  notice: { enabled: boolean; text: string; style: NoticeStyle };
  outcome: { enabled: boolean; text: string; style: NoticeStyle };
}

const expand = createCardTemplate<ApprovalCardData>(approvalTemplate);

/**
 * Approve / Reject for one playbook run that needs a second person. The buttons show only while the
 * request is pending; every decision is checked on the server whatever a card shows.
 */
export function renderApprovalCard(view: ApprovalCardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard(
    (level) => {
      const titleLength = atLevel(budgets.titleLength, level);
      const noticeLength = atLevel(budgets.noticeLength, level);
      const playbook = plain(view.playbookTitle, titleLength);
      const entity = plain(view.entity, titleLength);
      const title = entity ? `${playbook}: ${entity}` : playbook;
      const notice = plain(view.notice?.text, noticeLength);
      const outcome = plain(view.outcome?.text, noticeLength);
      const facts = [
        { title: 'Incident', value: `#${view.incidentNumber} (${view.severity}) ${plain(view.incidentTitle, titleLength)}` },
        { title: 'Requested by', value: `${plain(view.requestedBy, 120)} · ${cardDateTime(view.requestedAt)}` },
        { title: 'Approver', value: `An ${view.approverRole} who is not the requester` },
        { title: 'Expires', value: cardDateTime(view.expiresAt) },
        { title: 'Correlation id', value: plain(view.correlationId, 80) },
      ];
      if (!view.pending) facts.splice(3, 1);
      const description = plain(view.playbookDescription, atLevel(budgets.descriptionLength, level));
      return expand({
        fallbackText: `Approval ${view.pending ? 'needed' : 'closed'}: ${title} on incident #${view.incidentNumber}`,
        eyebrow: view.pending ? 'Playbook approval needed' : 'Playbook approval',
        title,
        description,
        hasDescription: description !== '',
        incidentId: view.incidentId,
        runId: view.runId,
        pending: view.pending,
        facts,
        notice: { enabled: notice !== '', text: notice, style: view.notice?.style ?? 'default' },
        outcome: { enabled: outcome !== '', text: outcome, style: view.outcome?.style ?? 'default' },
      });
    },
    { card: 'approval', levels: budgets.titleLength.length, maxBytes: options.maxBytes },
  );
}

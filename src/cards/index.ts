/** Adaptive Cards Argus sends: one render function per view, each checked against the size limit. */
export { renderIncidentCard } from './incident-card';
export { renderIncidentListCard } from './incident-list-card';
export { renderHelpCard } from './help-card';
export { renderWhoAmICard } from './whoami-card';
export { renderNoticeCard } from './notice-card';
export { renderTicketCard, renderTicketListCard } from './ticket-card';
export { renderApprovalCard } from './approval-card';
export { renderPlaybookListCard } from './playbook-list-card';
export { MAX_CARD_BYTES, measureCardBytes } from './size-guard';
export { MAX_REFRESH_USER_IDS } from './incident-card-data';
export { incidentVerbs, incidentInputs, type IncidentVerb } from './verbs';
export { ADAPTIVE_CARD_CONTENT_TYPE } from './content-type';
export { noticeStyles } from './views';
export type {
  ApprovalCardView,
  PlaybookListCardView,
  PlaybookListRowView,
  PlaybookOfferView,
  PlaybookRunView,
  PlaybooksSectionView,
} from './playbook-views';
export type {
  AdaptiveCardJson,
  CardNotice,
  HelpCardView,
  HelpCommandView,
  IncidentCardView,
  IncidentListCardView,
  NoticeCardView,
  NoticeStyle,
  RenderOptions,
  WhoAmICardView,
} from './views';
export type { TicketCardView, TicketListCardView, TicketSectionView } from './ticket-views';

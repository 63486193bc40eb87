import { renderApprovalCard } from '../cards';
import type { PlaybookRunRefPayload } from '../events/event-map';
import type { CardPublisher } from '../incidents/card-publisher';
import type { Logger } from '../logging/logger';
import type { CardOutbox } from '../teams/card-outbox';
import type { TeamsDelivery, TeamsMessage } from '../teams/teams-delivery';
import type { PlaybookCatalog } from './catalog';
import type { PlaybookRun } from './playbook';
import type { PlaybookRunStore } from './run-store';
import { approvalView, runTitle, threadNote } from './run-views';

export interface RunNotifierDeps {
  runs: PlaybookRunStore;
  catalog: PlaybookCatalog;
  /** The incident cards Teams has (approval cards go in their threads). */
  cards: Pick<CardOutbox, 'cardsOf'>;
  delivery: TeamsDelivery;
  publisher: Pick<CardPublisher, 'publish'>;
  /** Personal chats of people who may approve the run. */
  approverChats(run: PlaybookRun): Promise<string[]>;
  logger: Logger;
}

function approvalMessage(deps: RunNotifierDeps, run: PlaybookRun): TeamsMessage {
  const card = renderApprovalCard(approvalView(run, deps.catalog.get(run.playbookId)));
  const summary = run.status === 'awaiting-approval' ? `Approval needed: ${runTitle(run)}` : `Approval: ${runTitle(run)}`;
  return { card, summary };
}

/** Asks for approval in the incident card's thread(s) and in approvers' personal chats; each place once. */
async function sendApprovalCards(deps: RunNotifierDeps, run: PlaybookRun): Promise<void> {
  const sent = new Set(run.approvalCards.map((c) => c.conversationId));
  const message = approvalMessage(deps, run);
  const record = (conversationId: string, activityId: string) =>
    deps.runs.update(run.incidentName, run.runId, (r) => ({ ...r, approvalCards: [...r.approvalCards, { conversationId, activityId }] }));
  let places = sent.size;
  for (const card of await deps.cards.cardsOf(run.incidentName)) {
    if (sent.has(card.conversationId)) continue;
    await record(card.conversationId, await deps.delivery.reply(card.conversationId, card.activityId, message));
    sent.add(card.conversationId);
    places += 1;
  }
  for (const conversationId of await deps.approverChats(run)) {
    if (sent.has(conversationId)) continue;
    await record(conversationId, await deps.delivery.post(conversationId, message));
    sent.add(conversationId);
    places += 1;
  }
  if (places === 0) deps.logger.warn({ runId: run.runId, incident: run.incidentName }, 'no conversation to ask for approval in: the run will expire unless someone approves it from a card');
}

/**
 * Handler of playbook.run.changed: brings the incident cards up to date (with a thread note when
 * the run moved on), asks for approval, and turns sent approval cards into their decided state.
 */
export async function notifyRunChanged(deps: RunNotifierDeps, ref: PlaybookRunRefPayload): Promise<void> {
  const stored = await deps.runs.get(ref.incidentName, ref.runId);
  if (!stored) return;
  const run = stored.run;
  const errors: unknown[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      deps.logger.warn({ err, runId: run.runId }, `could not ${what}`);
      errors.push(err);
    }
  };
  // A note only for the status this event is about: a later status has its own event.
  await attempt('update the incident cards', () => deps.publisher.publish(run.incidentName, ref.status === run.status ? threadNote(run) : undefined));
  const updateApprovalCards = async (current: PlaybookRun) => {
    const message = approvalMessage(deps, current);
    for (const c of current.approvalCards) await attempt('update an approval card', () => deps.delivery.update(c.conversationId, c.activityId, message));
  };
  if (run.status === 'awaiting-approval') {
    await attempt('send the approval cards', () => sendApprovalCards(deps, run));
    // Decided or expired while the cards were being sent: that event's handler may have found no
    // card to update yet, so the cards just sent are brought to the run's state here.
    const latest = (await deps.runs.get(ref.incidentName, ref.runId))?.run;
    if (latest && latest.status !== 'awaiting-approval') await updateApprovalCards(latest);
  } else if (run.approvalCards.length) await updateApprovalCards(run);
  if (errors.length) throw new AggregateError(errors, `updating the cards of playbook run ${run.runId} failed`);
}

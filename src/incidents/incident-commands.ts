import { renderIncidentListCard, renderNoticeCard } from '../cards';
import { viewerOf } from './incident-actions';
import type { CommandDefinition } from '../teams/registry';
import type { CardPublisher } from './card-publisher';
import { severities, type Severity } from './incident';
import type { IncidentRepository } from './incident-repository';
import type { SubscriptionStore } from './subscription-store';

export interface IncidentCommandDeps {
  incidents: IncidentRepository;
  subscriptions: SubscriptionStore;
  publisher: CardPublisher;
}

/** `incident <number>`, `incidents`, `subscribe [severity…]`, `unsubscribe`. */
export function incidentCommands(deps: IncidentCommandDeps): CommandDefinition[] {
  const commands: CommandDefinition[] = [];
  commands.push({
    name: 'incident',
    usage: 'incident <number>',
    summary: 'Show the card of one incident',
    role: 'reader',
    async run(ctx, args) {
      const n = Number(args[0]?.replace(/^#/, ''));
      if (!Number.isInteger(n) || n <= 0)
        return { card: renderNoticeCard({ title: 'Which incident?', text: 'Usage: incident <number>, e.g. incident 42', style: 'warning' }) };
      const record = await deps.incidents.findByNumber(n);
      if (!record) return { card: renderNoticeCard({ title: 'Not found', text: `Argus has no incident number ${n}.`, style: 'warning' }) };
      return { card: await deps.publisher.render(record, viewerOf(ctx)) };
    },
  });

  commands.push({
    name: 'incidents',
    usage: 'incidents',
    summary: 'List open incidents, most severe first',
    role: 'reader',
    async run() {
      const open = await deps.incidents.listOpen(200);
      return { card: renderIncidentListCard({ title: 'Open incidents', incidents: open.map((r) => r.incident), total: open.length }) };
    },
  });

  commands.push({
    name: 'subscribe',
    usage: 'subscribe [High|Medium|Low|Informational …]',
    summary: 'Send incident cards of these severities (default all) to this conversation',
    role: 'admin',
    audited: true,
    async run(ctx, args) {
      const chosen: Severity[] = [];
      for (const a of args) {
        const s = severities.find((x) => x.toLowerCase() === a.toLowerCase().replace(/,$/, ''));
        if (!s)
          return { card: renderNoticeCard({ title: 'Unknown severity', text: `'${a.slice(0, 40)}' is not one of ${severities.join(', ')}.`, style: 'warning' }) };
        if (!chosen.includes(s)) chosen.push(s);
      }
      await deps.subscriptions.set({
        conversationId: ctx.conversationId,
        severities: chosen,
        by: ctx.actor.aadObjectId ?? '',
        at: new Date().toISOString(),
      });
      const which = chosen.length ? chosen.join(', ') : 'all';
      return { card: renderNoticeCard({ title: 'Subscribed', text: `Incident cards of severity ${which} will be posted here.`, style: 'good' }) };
    },
  });

  commands.push({
    name: 'unsubscribe',
    usage: 'unsubscribe',
    summary: 'Stop sending incident cards to this conversation',
    role: 'admin',
    audited: true,
    async run(ctx) {
      const removed = await deps.subscriptions.remove(ctx.conversationId);
      return {
        card: renderNoticeCard({
          title: removed ? 'Unsubscribed' : 'Not subscribed',
          text: removed ? 'New incident cards will no longer be posted here (existing cards stay current).' : 'This conversation had no subscription.',
          style: removed ? 'good' : 'default',
        }),
      };
    },
  });
  return commands;
}

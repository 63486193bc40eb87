import type { FeatureParts } from '../app/feature';
import { renderNoticeCard } from '../cards';
import type { EventHandler } from '../events/router';
import type { CardActionDefinition, CommandDefinition, MessageActionDefinition } from '../teams/registry';
import { reportFormCard, reportSubmitVerb } from './report-cards';
import { createReportService, type ReportServiceDeps } from './report-service';

/** The manifest message action's command id (manifest/manifest.json, composeExtensions). */
export const reportMessageAction = 'reportToSoc';

export interface ReportingFeature extends FeatureParts {
  handlers: {
    followIncident: EventHandler<'sentinel.incident.created' | 'sentinel.incident.updated'>;
    followCardChange: EventHandler<'incident.writeback.requested'>;
  };
}

/**
 * Reporting a suspected incident from Teams: the `report` command (a form in the chat) and the
 * "Report to SOC" message action (a task module on any message). Open to every user of the home
 * tenant, no Argus role needed; users of other tenants are refused.
 */
export function createReportingFeature(deps: ReportServiceDeps): ReportingFeature {
  const service = createReportService(deps);

  const command: CommandDefinition = {
    name: 'report',
    usage: 'report',
    summary: 'Report a suspected security incident to the SOC',
    role: 'member',
    run: async () => ({ card: reportFormCard({ inChat: true }) }),
  };

  const submitAction: CardActionDefinition = {
    verb: reportSubmitVerb,
    role: 'member',
    needsIncident: false,
    async handle(ctx) {
      const outcome = await service.submit(ctx, ctx.data, undefined, 'chat');
      if (outcome.kind === 'invalid') return { card: reportFormCard({ inChat: true, problems: outcome.problems, values: ctx.data }) };
      if (outcome.kind === 'refused') return { card: renderNoticeCard({ title: 'Report not sent', text: outcome.message, style: 'warning' }) };
      return { card: renderNoticeCard({ title: `Reported: incident #${outcome.number}`, text: outcome.receipt, style: 'good' }) };
    },
  };

  const messageAction: MessageActionDefinition = {
    commandId: reportMessageAction,
    role: 'member',
    fetchTask: async (ctx) => ({ form: { title: 'Report to SOC', card: reportFormCard({ inChat: false, message: ctx.message }) } }),
    async submit(ctx) {
      const outcome = await service.submit(ctx, ctx.data, ctx.message, 'message-action');
      if (outcome.kind === 'invalid') return { form: { title: 'Report to SOC', card: reportFormCard({ inChat: false, message: ctx.message, problems: outcome.problems, values: ctx.data }) } };
      if (outcome.kind === 'refused') return { message: outcome.message };
      return { message: `Reported as incident #${outcome.number}. A receipt is in your chat with Argus.` };
    },
  };

  return {
    commands: [command],
    actions: [submitAction],
    messageActions: [messageAction],
    handlers: {
      followIncident: (event) => service.follow(event.payload.incident.name, event.payload.incident.status),
      followCardChange: (event) => service.follow(event.payload.incidentName, event.payload.change.status),
    },
  };
}

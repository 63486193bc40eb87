import { renderNoticeCard } from '../cards';
import { renderTicketCard, renderTicketListCard } from '../cards';
import { plain } from '../cards/text';
import type { CardNotice } from '../cards/views';
import type { TicketCardIncident, TicketCardTicket, TicketListRowView } from '../cards/ticket-views';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { CommandReply, CommandDefinition } from '../teams/registry';
import { ItsmCallError } from './itsm-http';
import { isTicketOpen, parseTicketNumber, providerLabels, ticketNumberFormats, type Ticket } from './ticket';
import type { TicketLinkStore } from './ticket-link-store';
import type { TicketSystem } from './ticket-system';
import type { UserEmailResolver } from './user-email';

export interface TicketCommandDeps {
  links: TicketLinkStore;
  incidents: Pick<IncidentRepository, 'get'>;
  /** Absent when itsm.provider is none: the commands say so. */
  system?: TicketSystem;
  emails: UserEmailResolver;
}

const listLimit = 25;
const incidentNamePattern = /^[\w.:-]{1,128}$/;

function cardTicket(t: Ticket): TicketCardTicket {
  return {
    number: t.number,
    title: t.title,
    provider: providerLabels[t.provider],
    statusLabel: t.statusLabel,
    open: isTicketOpen(t.status),
    assignee: t.assignee,
    priority: t.priority,
    url: t.url,
    updatedAt: t.updatedAt,
  };
}

const notice = (title: string, text: string, style: 'warning' | 'attention' | 'default' = 'warning'): CommandReply => ({ card: renderNoticeCard({ title, text, style }) });

/**
 * `ticket <number>` (any ticket of the ITSM, read live, with its incident when there is one),
 * `tickets` (open, linked to incidents) and `tickets mine`.
 */
export function ticketCommands(deps: TicketCommandDeps): CommandDefinition[] {
  const commands: CommandDefinition[] = [];
  const { links, incidents, system } = deps;
  const where = system ? providerLabels[system.provider] : 'the ITSM';

  async function incidentView(name: string | undefined): Promise<TicketCardIncident | undefined> {
    // Correlation fields of tickets Argus did not open may hold anything other tools put there.
    const record = name && incidentNamePattern.test(name) ? await incidents.get(name) : undefined;
    if (!record) return undefined;
    const i = record.incident;
    return { name: i.name, number: i.number, title: i.title, severity: i.severity, status: i.status };
  }

  const noItsm = () => notice('No ITSM', 'Ticketing is not configured (itsm.provider is none).', 'default');

  commands.push({
    name: 'ticket',
    usage: 'ticket <number>',
    summary: 'Look up one ITSM ticket, e.g. ticket INC0012345 or ticket SOC-123',
    role: 'reader',
    // Argus reads the ITSM with its own account on the viewer's behalf: who looked at what is kept.
    audited: true,
    async run(_ctx, args) {
      if (!system) return noItsm();
      const format = ticketNumberFormats[system.provider];
      const typed = (args[0] ?? '').trim();
      const number = parseTicketNumber(system.provider, typed);
      if (!number) {
        const what = typed ? `${plain(typed, 40)} is not a ${format.noun}. ` : '';
        return notice('Which ticket?', `${what}Usage: ticket <number>, e.g. ticket ${format.example}`);
      }
      const link = await links.findByNumber(number);
      let live: Ticket | undefined;
      try {
        live = await system.get(number, { interactive: true });
      } catch (err) {
        if (!(err instanceof ItsmCallError)) throw err;
        const problem = err.transient ? `${where} did not answer` : `${where} refused the lookup`;
        const detail = err.message.slice(0, 160);
        if (link?.ticket) {
          const incident = await incidentView(link.incidentName);
          const stale: CardNotice = { text: `${problem} (${detail}); showing what Argus last knew.`, style: 'warning' };
          return { card: renderTicketCard({ ticket: cardTicket(link.ticket), incident, notice: stale }) };
        }
        const next = err.transient ? 'Try again in a minute.' : 'Ask an admin to check the ITSM account Argus uses.';
        return notice(problem, `Argus could not look up ${number}: ${detail}. ${next}`, 'attention');
      }
      if (!live) return notice('Not found', `${where} has no ticket ${number}.`);
      const incident = await incidentView(link?.incidentName ?? live.correlationId);
      return { card: renderTicketCard({ ticket: cardTicket(live), incident }) };
    },
  });

  commands.push({
    name: 'tickets',
    usage: 'tickets [mine]',
    summary: 'Open tickets linked to incidents; "tickets mine": the ones assigned to you',
    role: 'reader',
    async run(ctx, args) {
      if (!system) return noItsm();
      const mode = (args[0] ?? '').toLowerCase();
      if (mode && mode !== 'mine') return notice('Which tickets?', 'Usage: tickets, or tickets mine');
      if (!mode) {
        const open = await links.listOpen(200);
        const rows: TicketListRowView[] = open.flatMap((l) => (l.ticket ? [{ ticket: cardTicket(l.ticket), incident: { name: l.incidentName, number: l.incidentNumber } }] : []));
        return { card: renderTicketListCard({ title: `Open tickets linked to incidents (${where})`, rows, total: rows.length }) };
      }
      const email = await deps.emails.emailOf(ctx.actor);
      if (!email.ok) return notice('Who are you in the ITSM?', `Argus could not find your email: ${email.reason}.`);
      try {
        const user = await system.findUser(email.email, { interactive: true });
        if (!user) return notice('No ITSM user', `${where} has no active user with the email ${email.email}.`);
        const page = await system.listAssignedTo(user, listLimit, { interactive: true });
        const rows = await Promise.all(
          page.tickets.map(async (t): Promise<TicketListRowView> => {
            const incident = await incidentView(t.correlationId);
            return { ticket: cardTicket(t), incident: incident ? { name: incident.name, number: incident.number } : undefined };
          }),
        );
        return { card: renderTicketListCard({ title: `Your open tickets (${user.name})`, rows, total: page.total, more: page.more }) };
      } catch (err) {
        if (!(err instanceof ItsmCallError)) throw err;
        return notice(`${where} did not answer`, `Try again in a minute (${err.message.slice(0, 200)}).`);
      }
    },
  });
  return commands;
}

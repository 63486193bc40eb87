import { roleAtLeast } from '../access/roles';
import { renderNoticeCard, renderPlaybookListCard, type PlaybookListRowView } from '../cards';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { CommandDefinition } from '../teams/registry';
import { offersFor, playbookApplies } from './applicability';
import type { PlaybookCatalog } from './catalog';
import { describeDuration } from './duration';
import type { Playbook } from './playbook';

/** "responder · approval by an admin within 30 min", for the lists. */
export function rulesText(p: Playbook): string {
  const approval = p.approval ? `approval by another ${p.approval.approverRole} within ${describeDuration(p.approval.expiresAfterMs)}` : 'no approval';
  return `role ${p.definition.requiredRole} · ${approval} · timeout ${describeDuration(p.timeoutMs)}`;
}

/** `playbooks` lists the catalog; `playbooks <incident number>` lists what applies there, with buttons. */
export function playbookCommands(deps: { catalog: PlaybookCatalog; incidents: Pick<IncidentRepository, 'findByNumber'> }): CommandDefinition[] {
  const commands: CommandDefinition[] = [];
  commands.push({
    name: 'playbooks',
    usage: 'playbooks [incident number]',
    summary: 'List the playbooks with their roles and approvals, or those that apply to an incident',
    role: 'reader',
    async run(ctx, args) {
      const all = deps.catalog.playbooks;
      if (args.length === 0) {
        const rows: PlaybookListRowView[] = all.map((p) => ({
          title: `${p.definition.title} (${p.definition.id})`,
          detail: [
            `acts on ${p.definition.actsOn}`,
            rulesText(p),
            p.target.type === 'sentinel' ? 'Sentinel runPlaybook' : 'Logic App HTTP trigger',
            p.unavailable ? `unavailable: ${p.unavailable}` : '',
          ]
            .filter(Boolean)
            .join(' · '),
        }));
        const subtitle = all.length ? 'Send "playbooks <incident number>" to see what applies to an incident.' : 'No playbooks are configured (see docs/playbooks.md).';
        return { card: renderPlaybookListCard({ title: `Playbooks (${all.length})`, subtitle, rows }) };
      }
      const n = Number(args[0]?.replace(/^#/, ''));
      if (!Number.isInteger(n) || n <= 0)
        return { card: renderNoticeCard({ title: 'Which incident?', text: 'Usage: playbooks <incident number>, e.g. playbooks 42', style: 'warning' }) };
      const record = await deps.incidents.findByNumber(n);
      if (!record) return { card: renderNoticeCard({ title: 'Not found', text: `Argus has no incident number ${n}.`, style: 'warning' }) };
      const { incident } = record;
      const rows: PlaybookListRowView[] = [];
      for (const p of deps.catalog.available()) {
        if (!playbookApplies(p, incident).ok) continue;
        const allowed = roleAtLeast(ctx.decision.role, p.definition.requiredRole);
        for (const offer of offersFor(p, incident))
          rows.push({
            title: offer.label,
            detail: `${rulesText(p)}${allowed ? '' : ` · you may not run it (your role is ${ctx.decision.role ?? 'none'})`}`,
            action: allowed ? { label: p.approval ? 'Request' : 'Run', playbookId: p.definition.id, entityId: offer.entity?.id } : undefined,
          });
      }
      const subtitle = rows.length ? `${incident.title}` : `No playbook applies to incident #${n}.`;
      return { card: renderPlaybookListCard({ title: `Playbooks for incident #${n}`, subtitle, incidentId: incident.name, rows }) };
    },
  });
  return commands;
}

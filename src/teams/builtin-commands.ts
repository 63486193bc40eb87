import { renderHelpCard, renderWhoAmICard } from '../cards';
import { roleAtLeast, type RoleResolver } from '../access/roles';
import type { AdaptiveCard, TeamsRegistry } from './registry';

/** The help card lists every registered command with the role it needs. */
export function helpCard(registry: TeamsRegistry): AdaptiveCard {
  return renderHelpCard({
    commands: [...registry.commands.values()].map((c) => ({
      name: c.name,
      usage: c.usage,
      summary: c.summary,
      role: c.role === 'anyone' ? 'reader' : c.role === 'member' ? 'any user' : c.role,
    })),
  });
}

export function registerBuiltinCommands(registry: TeamsRegistry, roles: RoleResolver): void {
  registry.command({
    name: 'help',
    usage: 'help',
    summary: 'What Argus can do here',
    role: 'anyone',
    run: async () => ({ card: helpCard(registry) }),
  });
  registry.command({
    name: 'whoami',
    usage: 'whoami',
    summary: 'Your Argus role and why',
    role: 'anyone',
    async run(ctx) {
      const d = await roles.resolve(ctx.actor);
      // The reasons name Entra group ids and federation entries: the access design, which only
      // admins see. Left out of the view (not just hidden by the card) for everyone else.
      const details = roleAtLeast(d.role, 'admin')
        ? { aadObjectId: ctx.actor.aadObjectId ?? '(none)', federated: d.federated, reasons: d.reasons }
        : undefined;
      return {
        card: renderWhoAmICard({
          name: ctx.actor.name ?? '(unknown)',
          tenantId: ctx.actor.tenantId ?? '(none)',
          role: d.role,
          roles: d.roles,
          details,
        }),
      };
    },
  });
}

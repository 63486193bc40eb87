import { renderHelpCard, renderWhoAmICard } from '../cards';
import type { RoleResolver } from '../access/roles';
import type { AdaptiveCard, TeamsRegistry } from './registry';

/** The help card lists every registered command with the role it needs. */
export function helpCard(registry: TeamsRegistry): AdaptiveCard {
  return renderHelpCard({
    commands: [...registry.commands.values()].map((c) => ({
      name: c.name,
      usage: c.usage,
      summary: c.summary,
      role: c.role === 'anyone' ? 'reader' : c.role,
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
      return {
        card: renderWhoAmICard({
          name: ctx.actor.name ?? '(unknown)',
          aadObjectId: ctx.actor.aadObjectId ?? '(none)',
          tenantId: ctx.actor.tenantId ?? '(none)',
          role: d.role,
          roles: d.roles,
          federated: d.federated,
          reasons: d.reasons,
        }),
      };
    },
  });
}

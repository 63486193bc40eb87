import type { RoleResolver } from '../access/roles';
import { registerBuiltinCommands } from '../teams/builtin-commands';
import { TeamsRegistry } from '../teams/registry';
import type { FeatureParts } from './feature';

/**
 * The Teams table, the second of the two tables (the first is the handler table,
 * src/app/handlers.ts): card verbs (Action.Execute) and chat commands, each with the least role it
 * needs. `help` and `whoami` come first; then each feature's, in feature order. Installing and
 * removing the app is not a domain's business: the turn handler (src/teams/turn-handler.ts) keeps
 * the conversation references itself.
 */
export function teamsTable(roles: RoleResolver, parts: readonly FeatureParts[]): TeamsRegistry {
  const registry = new TeamsRegistry();
  registerBuiltinCommands(registry, roles);
  for (const part of parts) {
    for (const command of part.commands ?? []) registry.command(command);
    for (const action of part.actions ?? []) registry.action(action);
    for (const messageAction of part.messageActions ?? []) registry.messageAction(messageAction);
  }
  return registry;
}

import type { FileConfig } from '../config/file-schema';
import type { SecretProvider } from '../config/secret-provider';
import { ArgusError } from '../errors/catalog';
import type { Logger } from '../logging/logger';
import { createJiraTickets } from './jira/jira-tickets';
import { createServiceNowTickets } from './servicenow/servicenow-tickets';
import type { TicketSystem } from './ticket-system';

/** The configured ITSM adapter, or undefined when itsm.provider is none. */
export function createTicketSystem(itsm: FileConfig['itsm'], secrets: SecretProvider, log: Logger): TicketSystem | undefined {
  if (itsm.provider === 'none') return undefined;
  if (itsm.provider === 'servicenow') {
    if (!itsm.servicenow) throw new ArgusError('ARGUS_CONFIG_INVALID', 'itsm.servicenow is required when itsm.provider is servicenow');
    return createServiceNowTickets({ config: itsm.servicenow, secrets, log: log.child({ component: 'servicenow' }) });
  }
  if (!itsm.jira) throw new ArgusError('ARGUS_CONFIG_INVALID', 'itsm.jira is required when itsm.provider is jira');
  return createJiraTickets({ config: itsm.jira, secrets, log: log.child({ component: 'jira' }) });
}

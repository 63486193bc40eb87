import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { createSecretProvider } from '../app/secrets';
import { loadConfig, type ArgusConfig } from '../config/load-config';
import { secretNames, type SecretProvider } from '../config/secret-provider';
import { intelDoctorChecks } from '../enrichment/doctor-checks';
import { createSentinelClient } from '../incidents/sentinel-client';
import { createTicketSystem } from '../ticketing/ticket-system-factory';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { layoutCheck } from '../app/compose-cards';
import { writeLine, type CliCommand } from './command';

interface Check {
  name: string;
  run(): Promise<string>;
}

function checks(config: ArgusConfig, secrets: SecretProvider, credential: () => TokenCredential): Check[] {
  const file = config.file;
  const list: Check[] = [
    {
      name: 'mode',
      run: async () => {
        if (config.devMode) return 'dev mode (no MICROSOFT_APP_ID): Bot Framework auth is off, loopback only';
        return `bot ${config.bot.appId} (${config.bot.appType ?? 'MultiTenant'})`;
      },
    },
    {
      name: 'storage',
      run: async () => {
        const { store } = await openTableStore(config.storage, { logger: createLogger({ level: 'silent' }), credential: config.storage.kind === 'accountUrl' ? credential() : undefined });
        try {
          await store.ping();
          return store.describe();
        } finally {
          await store.close();
        }
      },
    },
    {
      name: 'secrets',
      run: async () => {
        await secrets.ping();
        const needed: string[] = [secretNames.sentinelWebhook];
        if (!config.devMode && config.bot.appType !== 'UserAssignedMSI') needed.push(secretNames.microsoftAppPassword);
        if (file.itsm.provider === 'servicenow') needed.push(secretNames.itsmWebhook);
        if (file.itsm.provider === 'jira') needed.push(secretNames.jiraWebhook);
        const missing: string[] = [];
        for (const n of needed) if (!(await secrets.get(n))) missing.push(n);
        if (missing.length) throw new Error(`missing: ${missing.join(', ')}`);
        return `${config.secrets.kind === 'keyVault' ? config.secrets.url : 'environment'}: ${needed.join(', ')} present`;
      },
    },
    {
      name: 'teams',
      run: async () => {
        const routes = file.routing.rules.length + (file.routing.default ? 1 : 0);
        return `${routes} configured routing target(s); channels can also 'subscribe'${file.publicUrl ? `; public URL ${file.publicUrl}` : '; publicUrl not set'}`;
      },
    },
  ];
  if (file.sentinel) {
    const sentinelConfig = file.sentinel;
    list.push({
      name: 'sentinel',
      run: async () => {
        const client = createSentinelClient({ config: sentinelConfig, credential: credential() });
        const open = await client.listIncidents({ openOnly: true, top: 1 });
        return `${sentinelConfig.workspaceName} answers (${open.length ? 'has' : 'no'} open incidents)`;
      },
    });
  }
  // Both intel sources: configured, key present, available or why not.
  list.push(...intelDoctorChecks(config, secrets, credential));
  const tickets = createTicketSystem(file.itsm, secrets, createLogger({ level: 'silent' }));
  if (tickets) {
    list.push({
      name: 'itsm',
      run: async () => {
        await tickets.ping();
        return `${file.itsm.provider} answers`;
      },
    });
  }
  // Card layouts from SharePoint: each file checked as the service would; a rejected one is named with why.
  const layouts = layoutCheck(config, credential, createLogger({ level: 'silent' }));
  if (layouts) {
    list.push({
      name: 'cards',
      run: async () => {
        const statuses = await layouts.sync.run();
        const bad = statuses.filter((s) => s.problem);
        if (bad.length) throw new Error(`built-in layout used for ${bad.map((s) => `${s.view} (${s.problem})`).join('; ')}`);
        return `${statuses.filter((s) => s.source === 'sharepoint').length} layout(s) from SharePoint, the rest built-in`;
      },
    });
  }
  return list;
}

/** `argus doctor`: checks config, secrets, storage, Teams, Sentinel, the intel sources and the ITSM, and says what is wrong. */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'Check configuration, secrets, storage and reachability',
  usage: 'argus doctor',
  async run(_args, io) {
    let config: ArgusConfig;
    try {
      config = loadConfig(io.env, { cwd: io.cwd });
      writeLine(io.stdout, `✔ config      ${config.configPath ?? '(no config file: defaults)'}`);
    } catch (err) {
      writeLine(io.stdout, `✖ config      ${err instanceof Error ? err.message : String(err)}`);
      return 1;
    }
    let credential: TokenCredential | undefined;
    const getCredential = () => (credential ??= new DefaultAzureCredential());
    const secrets = createSecretProvider(config, io.env, getCredential, createLogger({ level: 'silent' }));
    let failed = 0;
    for (const check of checks(config, secrets, getCredential)) {
      try {
        writeLine(io.stdout, `✔ ${check.name.padEnd(11)} ${await check.run()}`);
      } catch (err) {
        failed += 1;
        writeLine(io.stdout, `✖ ${check.name.padEnd(11)} ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    writeLine(io.stdout, failed ? `${failed} problem(s) found` : 'all checks passed');
    return failed ? 1 : 0;
  },
};

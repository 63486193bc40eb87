import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import type { ArgusConfig } from '../config/load-config';
import { secretNames, type SecretProvider } from '../config/secret-provider';
import type { Logger } from '../logging/logger';

/**
 * CloudAdapter whose HTTP handling stays ours: `handle` authenticates and runs a turn, returning
 * the invoke response, so errors never leak botbuilder's own 500 text or an empty 501.
 */
export class ArgusBotAdapter extends CloudAdapter {
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

/**
 * Dev mode (no app id): Bot Framework auth is off (botbuilder skips it without an app id), which
 * is why Argus then binds to loopback only. Otherwise the app's password (when it has one) comes
 * from the SecretProvider.
 */
export async function createBotAdapter(config: ArgusConfig, secrets: SecretProvider, logger: Logger): Promise<ArgusBotAdapter> {
  let adapter: ArgusBotAdapter;
  if (config.devMode) {
    adapter = new ArgusBotAdapter(new ConfigurationBotFrameworkAuthentication({}));
  } else {
    const appType = config.bot.appType ?? 'MultiTenant';
    const password = appType === 'UserAssignedMSI' ? undefined : await secrets.require(secretNames.microsoftAppPassword);
    const options = {
      MicrosoftAppId: config.bot.appId,
      MicrosoftAppPassword: password,
      MicrosoftAppType: appType,
      MicrosoftAppTenantId: config.bot.tenantId,
    };
    adapter = new ArgusBotAdapter(
      new ConfigurationBotFrameworkAuthentication(options, new ConfigurationServiceClientCredentialFactory(options)),
    );
  }
  adapter.onTurnError = async (_context, err) => {
    logger.error({ err }, 'bot turn failed');
  };
  return adapter;
}

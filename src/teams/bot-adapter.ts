import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type InvokeResponse,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationConfiguration, AuthenticationConstants } from 'botframework-connector';
import type { ArgusConfig } from '../config/load-config';
import { secretNames, type SecretProvider } from '../config/secret-provider';
import type { Logger } from '../logging/logger';
import { GuardedBotFrameworkAuthentication, onlyChannelTokens, verifyTeamsToken } from './bot-auth';
import type { ServiceUrlPolicy } from './service-url-policy';

/**
 * CloudAdapter whose HTTP handling stays ours: `handle` authenticates and runs a turn, returning
 * the invoke response, so errors never leak botbuilder's own 500 text or an empty 501.
 */
export class ArgusBotAdapter extends CloudAdapter {
  constructor(
    private readonly auth: GuardedBotFrameworkAuthentication,
    /** False in dev mode, where botbuilder accepts every request unauthenticated. */
    readonly authenticates: boolean,
  ) {
    super(auth);
  }

  /** Checks the Authorization header alone, before the body is read (no-op in dev mode). */
  async verifyToken(authorization: string | undefined): Promise<void> {
    if (this.authenticates) await verifyTeamsToken(this.auth, authorization);
  }

  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export interface BotAdapterOptions {
  config: ArgusConfig;
  secrets: SecretProvider;
  logger: Logger;
  serviceUrls: ServiceUrlPolicy;
}

/**
 * Dev mode (no app id): Bot Framework auth is off (botbuilder skips it without an app id), which
 * is why Argus then binds to loopback only. Otherwise the app's password (when it has one) comes
 * from the SecretProvider, and only the Bot Framework channel service's tokens are accepted.
 */
export async function createBotAdapter(options: BotAdapterOptions): Promise<ArgusBotAdapter> {
  const { config, secrets, logger, serviceUrls } = options;
  let adapter: ArgusBotAdapter;
  if (config.devMode) {
    adapter = new ArgusBotAdapter(new GuardedBotFrameworkAuthentication(new ConfigurationBotFrameworkAuthentication({}), serviceUrls), false);
  } else {
    const appType = config.bot.appType ?? 'MultiTenant';
    const password = appType === 'UserAssignedMSI' ? undefined : await secrets.require(secretNames.microsoftAppPassword);
    const settings = {
      MicrosoftAppId: config.bot.appId,
      MicrosoftAppPassword: password,
      MicrosoftAppType: appType,
      MicrosoftAppTenantId: config.bot.tenantId,
      // Public Azure, spelled out (botbuilder then takes all or none) so the key metadata can come from config.
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      ToBotFromChannelOpenIdMetadataUrl: config.file.teams.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
    };
    const inner = new ConfigurationBotFrameworkAuthentication(
      settings,
      new ConfigurationServiceClientCredentialFactory(settings),
      new AuthenticationConfiguration([], onlyChannelTokens),
    );
    adapter = new ArgusBotAdapter(new GuardedBotFrameworkAuthentication(inner, serviceUrls), true);
  }
  adapter.onTurnError = async (_context, err) => {
    logger.error({ err }, 'bot turn failed');
  };
  return adapter;
}

/**
 * The one way to read a secret. Names are Key Vault style (`[0-9a-zA-Z-]`), e.g.
 * `sentinel-webhook-secret`; the env fallback reads `ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET`.
 * Values are cached and never logged.
 */
export interface SecretProvider {
  /** The secret's value, or undefined when it does not exist. Throws only when the store fails. */
  get(name: string): Promise<string | undefined>;
  /** Like `get`, but a missing secret is an ARGUS_SECRET_MISSING error naming it. */
  require(name: string): Promise<string>;
  /** Forget cached values (after rotation). */
  invalidate(name?: string): void;
  /** Checks the store answers (for /readyz and `argus doctor`). */
  ping(): Promise<void>;
}

/** Secret names Argus knows. */
export const secretNames = {
  sentinelWebhook: 'sentinel-webhook-secret',
  itsmWebhook: 'itsm-webhook-secret',
  playbookCallback: 'playbook-callback-secret',
  alertsWebhook: 'alerts-webhook-secret',
  jiraWebhook: 'jira-webhook-secret',
  evidenceUpload: 'evidence-upload-secret',
  reportLink: 'report-link-secret',
  microsoftAppPassword: 'microsoft-app-password',
  servicenowPassword: 'servicenow-password',
  servicenowClientSecret: 'servicenow-client-secret',
  jiraApiToken: 'jira-api-token',
  virustotalApiKey: 'virustotal-api-key',
  abuseipdbApiKey: 'abuseipdb-api-key',
  llmApiKey: 'llm-api-key',
} as const;

export const secretNamePattern = /^[0-9a-zA-Z-]{1,127}$/;

/** `sentinel-webhook-secret` → `ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET`. */
export function envNameForSecret(name: string): string {
  return `ARGUS_SECRET_${name.replace(/-/g, '_').toUpperCase()}`;
}

import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import axios from 'axios';
import { loadDevSecrets } from '../config/dev-secrets';
import { loadConfig } from '../config/load-config';
import { envNameForSecret, secretNames } from '../config/secret-provider';
import { signBody, signatureHeader } from '../security/signature';
import { writeLine, type CliCommand } from './command';

const sampleSeverities = ['High', 'Medium', 'Low'] as const;

/** A Logic App "Microsoft Sentinel incident" trigger body for a made-up incident. */
export function sampleSentinelIncident(options: { number?: number; severity?: string; title?: string } = {}): Record<string, unknown> {
  const name = randomUUID();
  const number = options.number ?? 1000 + Math.floor(Math.random() * 9000);
  const now = new Date().toISOString();
  const ws = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-ws';
  const id = `${ws}/providers/Microsoft.SecurityInsights/Incidents/${name}`;
  return {
    eventUniqueId: randomUUID(),
    objectSchemaType: 'Incident',
    objectEventType: 'Create',
    workspaceInfo: { SubscriptionId: '00000000-0000-0000-0000-000000000000', ResourceGroupName: 'soc-rg', WorkspaceName: 'soc-ws' },
    workspaceId: randomUUID(),
    object: {
      id,
      name,
      type: 'Microsoft.SecurityInsights/Incidents',
      etag: `"${randomUUID()}"`,
      properties: {
        title: options.title ?? 'Suspicious PowerShell download on FIN-WS-042',
        description: 'A sample incident sent by argus send-sample.',
        severity: options.severity ?? sampleSeverities[number % sampleSeverities.length],
        status: 'New',
        owner: { objectId: null, email: null, assignedTo: null, userPrincipalName: null },
        labels: [],
        firstActivityTimeUtc: now,
        lastActivityTimeUtc: now,
        lastModifiedTimeUtc: now,
        createdTimeUtc: now,
        incidentNumber: number,
        additionalData: { alertsCount: 1, bookmarksCount: 0, commentsCount: 0, alertProductNames: ['Microsoft Defender for Endpoint'], tactics: ['Execution'], techniques: ['T1059'] },
        relatedAnalyticRuleIds: [],
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${id}`,
        providerName: 'Azure Sentinel',
        providerIncidentId: String(number),
        Alerts: [],
        relatedEntities: [
          { id: `${id}/entities/host`, name: 'host', kind: 'Host', type: 'Microsoft.SecurityInsights/Entities', properties: { hostName: 'FIN-WS-042', dnsDomain: 'contoso.local', friendlyName: 'FIN-WS-042' } },
          { id: `${id}/entities/acct`, name: 'acct', kind: 'Account', type: 'Microsoft.SecurityInsights/Entities', properties: { accountName: 'j.doe', upnSuffix: 'contoso.com', friendlyName: 'j.doe' } },
          { id: `${id}/entities/ip`, name: 'ip', kind: 'Ip', type: 'Microsoft.SecurityInsights/Entities', properties: { address: '203.0.113.45', friendlyName: '203.0.113.45' } },
        ],
      },
    },
  };
}

/** `argus send-sample sentinel [--url URL]`: posts a signed sample incident to a running Argus. */
export const sendSampleCommand: CliCommand = {
  name: 'send-sample',
  summary: 'Post a signed sample Sentinel incident to a running Argus',
  usage: 'argus send-sample sentinel [--url URL] [--severity High|Medium|Low|Informational] [--number N]',
  async run(args, io) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { url: { type: 'string' }, severity: { type: 'string' }, number: { type: 'string' }, title: { type: 'string' } },
    });
    if (positionals[0] !== 'sentinel' || positionals.length !== 1) {
      writeLine(io.stderr, `usage: ${this.usage}`);
      return 2;
    }
    const config = loadConfig(io.env, { cwd: io.cwd });
    const url = values.url ?? `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
    const envSecret = io.env[envNameForSecret(secretNames.sentinelWebhook)];
    const secret =
      envSecret ?? (config.storage.kind === 'embedded' ? loadDevSecrets(config.storage.dataDir, false)[secretNames.sentinelWebhook] : undefined);
    if (!secret) {
      writeLine(io.stderr, `no webhook secret: set ${envNameForSecret(secretNames.sentinelWebhook)} (or start Argus in dev mode first, which generates one)`);
      return 1;
    }
    const body = JSON.stringify(
      sampleSentinelIncident({ severity: values.severity, number: values.number ? Number(values.number) : undefined, title: values.title }),
    );
    const target = `${url.replace(/\/$/, '')}/api/webhooks/sentinel`;
    const res = await axios.post(target, body, {
      headers: { 'content-type': 'application/json', [signatureHeader]: signBody(secret, body) },
      validateStatus: () => true,
      timeout: 15_000,
    });
    writeLine(io.stdout, `${res.status} ${JSON.stringify(res.data)}`);
    return res.status === 202 || res.status === 200 ? 0 : 1;
  },
};

import { parseSentinelWebhook } from '../../incidents/sentinel-mapping';
import type { Incident } from '../../incidents/incident';
import { demoSentinelBodies } from '../playground/demo-incidents';

/**
 * Sample views for every card, rendered by the card's own render function. Views are plain
 * data and render functions are looked up by name, so a card whose code has not landed yet is
 * reported as skipped instead of breaking the tool. Times are fixed so the images only change
 * when a card does.
 */
export interface PreviewSample {
  /** File name in docs/cards (without .png). */
  name: string;
  /** Module (relative to src/cards) and export of the render function. */
  module: string;
  render: string;
  view: unknown;
}

const at = '2026-11-21T09:42:00Z';

function sampleIncident(index: number, patch: Partial<Incident> = {}): Incident {
  const body = demoSentinelBodies(48213)[index];
  const parsed = parseSentinelWebhook(body);
  if (!parsed.ok) throw new Error(`sample incident ${index} does not parse: ${JSON.stringify(parsed.details)}`);
  return {
    ...parsed.value.incident,
    name: `2b7e9f1c-4d3a-4e8b-9c1f-0a6d5e4b3c2${index}`,
    createdTimeUtc: '2026-11-21T09:12:00Z',
    firstActivityTimeUtc: '2026-11-21T08:57:00Z',
    lastActivityTimeUtc: '2026-11-21T09:10:00Z',
    lastModifiedTimeUtc: at,
    ...patch,
  };
}

const ada = 'Ada Admin';
const rui = 'Rui Responder';

export function previewSamples(): PreviewSample[] {
  const ransomware = sampleIncident(0, { status: 'Active', owner: { assignedTo: rui, email: 'rui@contoso.com' } });
  const incidentId = ransomware.name;
  return [
    {
      name: 'incident',
      module: 'index',
      render: 'renderIncidentCard',
      view: {
        incident: ransomware,
        sentinelConnected: true,
        showActions: true,
        notice: { text: `Acknowledged by ${rui} · 09:42 UTC`, style: 'good' },
        ticket: { provider: 'ServiceNow', state: 'linked', number: 'INC0012345', url: 'https://contoso.service-now.com/nav_to.do?uri=incident.do?sys_id=1', statusLabel: 'In Progress', assignee: 'SOC Tier 2', canCreate: false },
        playbooks: {
          offers: [
            { playbookId: 'isolate-host', entityId: 'host', label: 'Isolate host FILESRV-02', needsApproval: true },
            { playbookId: 'disable-account', entityId: 'account', label: 'Disable account svc-backup', needsApproval: true },
          ],
          runs: [{ title: 'Collect investigation package · FILESRV-02', status: 'Succeeded', tone: 'good', detail: `Requested by ${rui} · correlation id 6f1c2a9e` }],
        },
        response: {
          phaseTitle: 'Containment', planId: 'ransomware', plan: { id: 'ransomware', title: 'Ransomware', done: 3, total: 11 }, openEarlier: [], next: { phase: 'eradication', title: 'Eradication' },
          strip: ['Detection', 'Investigation', 'Containment', 'Eradication', 'Recovery', 'Post-incident', 'Closed'].map((title, i) => ({ title, state: i < 2 ? 'done' : i === 2 ? 'current' : 'todo' })),
          steps: [{ planId: 'ransomware', stepId: 'protect-backups', title: 'Take backups offline and verify they are untouched', status: 'Pending', tone: 'default', detail: 'Manual · admin', canComplete: true, canRun: false }],
          back: [{ phase: 'investigation', title: 'Investigation' }],
          open: [{ stepId: 'protect-backups', title: 'Take backups offline and verify they are untouched' }],
        },
        investigate: { menus: [{ entityName: 'FILESRV-02', entityRef: 'host', queries: [{ queryId: 'host-process-events', label: 'Process events on this host, last 24 h' }] }] },
        evidence: {
          items: [
            { filename: 'FILESRV-02-investigation-package.zip', sha256: '9f2c4e7a1b3d5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8', custodian: rui },
            { filename: 'log-excerpt-2026-03-02T09-51-10-000Z.txt', sha256: '3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b', custodian: rui },
          ],
          canAdd: true,
        },
      },
    },
    {
      name: 'incident-list',
      module: 'index',
      render: 'renderIncidentListCard',
      view: { title: 'Open incidents', incidents: [ransomware, sampleIncident(1), sampleIncident(2), sampleIncident(3)], total: 4 },
    },
    {
      name: 'approval',
      module: 'approval-card',
      render: 'renderApprovalCard',
      view: {
        runId: 'run-7d3f',
        incidentId,
        incidentNumber: ransomware.number,
        incidentTitle: ransomware.title,
        severity: ransomware.severity,
        playbookTitle: 'Isolate host',
        playbookDescription: 'Cuts the device off the network with Defender for Endpoint; only the Defender service keeps talking to it.',
        entity: 'Host FILESRV-02.contoso.local',
        requestedBy: rui,
        requestedAt: '2026-11-21T09:44:00Z',
        expiresAt: '2026-11-21T10:44:00Z',
        approverRole: 'admin',
        correlationId: '6f1c2a9e-41d7-4b8a-9e3f-0c5d7a1b2e44',
        pending: true,
      },
    },
    {
      name: 'triage',
      module: 'triage-card',
      render: 'renderTriageCard',
      view: {
        showActions: true,
        record: {
          alertId: '5f0c2d9a41b87e36c1a4f0d29b3e7a58',
          ruleId: 'proc_creation_win_powershell_encoded_command',
          status: 'decided',
          decision: 'review',
          score: 0.345,
          thresholds: { autoCloseBelow: 0.2, escalateAtOrAbove: 0.8 },
          indicators: [
            {
              type: 'ip',
              value: '198.51.100.23',
              sources: [
                { source: 'virustotal', verdict: 'malicious', probability: 0.1, weight: 1, cached: false, detail: '' },
                { source: 'abuseipdb', verdict: 'suspicious', probability: 0.875, weight: 0.8, cached: true, detail: '' },
              ],
            },
          ],
          reasons: ['score 0.345 is between autoCloseBelow 0.2 and escalateAtOrAbove 0.8'],
          llm: { summary: 'FIN-WS-042 ran an encoded PowerShell command that reached 198.51.100.23. AbuseIPDB reporters flag the address while most VirusTotal engines do not.', model: 'gpt-4o-2024-08-06' },
          decidedAt: at,
          alert: { title: 'Encoded PowerShell command line', level: 'high', host: 'FIN-WS-042', detectedAt: at },
          matchedRules: [],
        },
      },
    },
    {
      name: 'triage-digest',
      module: '../triage/digest-card',
      render: 'renderTriageDigestCard',
      view: {
        day: '2026-11-20',
        total: 14,
        perRule: [
          { ruleId: 'proc_creation_win_susp_whoami', count: 9 },
          { ruleId: 'net_connection_win_rdp_outbound', count: 5 },
        ],
        reasons: [
          { text: 'score is below autoCloseBelow 0.2', count: 11 },
          { text: 'every indicator is allow-listed', count: 3 },
        ],
        examples: [
          { alertId: '8c1d0e7f2a9b43c6d5e4f3a2b1c0d9e8', ruleId: 'proc_creation_win_susp_whoami', title: 'Whoami run by a service account', host: 'APP-07', score: 0.041, reason: 'score 0.041 is below autoCloseBelow 0.2', decidedAt: '2026-11-20T17:03:00Z' },
        ],
      },
    },
    {
      name: 'ticket',
      module: 'ticket-card',
      render: 'renderTicketCard',
      view: {
        ticket: { number: 'INC0012345', title: ransomware.title, provider: 'ServiceNow', statusLabel: 'In Progress', open: true, assignee: 'SOC Tier 2', url: 'https://contoso.service-now.com/nav_to.do?uri=incident.do?sys_id=1', updatedAt: at },
        incident: { name: incidentId, number: ransomware.number, title: ransomware.title, severity: ransomware.severity, status: ransomware.status },
      },
    },
    {
      name: 'ticket-list',
      module: 'ticket-card',
      render: 'renderTicketListCard',
      view: {
        title: 'Open tickets',
        rows: [
          { ticket: { number: 'INC0012345', title: ransomware.title, provider: 'ServiceNow', statusLabel: 'In Progress', open: true, assignee: 'SOC Tier 2', updatedAt: at }, incident: { name: incidentId, number: ransomware.number } },
          { ticket: { number: 'INC0012339', title: 'Impossible travel: a.khan', provider: 'ServiceNow', statusLabel: 'New', open: true, updatedAt: at } },
        ],
        total: 2,
      },
    },
    {
      name: 'playbook-list',
      module: 'playbook-list-card',
      render: 'renderPlaybookListCard',
      view: {
        title: 'Playbooks',
        subtitle: `For incident #${ransomware.number}`,
        incidentId,
        rows: [
          { title: 'Isolate host', detail: 'Host · needs approval by an admin', action: { label: 'Isolate FILESRV-02', playbookId: 'isolate-host', entityId: 'host' } },
          { title: 'Reset password', detail: 'Account · needs approval by an admin', action: { label: 'Reset svc-backup', playbookId: 'reset-password', entityId: 'account' } },
          { title: 'Collect investigation package', detail: 'Host · runs at once' },
        ],
      },
    },
    {
      name: 'help',
      module: 'index',
      render: 'renderHelpCard',
      view: {
        commands: [
          { name: 'help', usage: 'help', summary: 'What Argus can do here', role: 'reader' },
          { name: 'whoami', usage: 'whoami', summary: 'Your Argus role and why', role: 'reader' },
          { name: 'incident', usage: 'incident <number>', summary: 'Show the card of one incident', role: 'reader' },
          { name: 'incidents', usage: 'incidents', summary: 'List open incidents, most severe first', role: 'reader' },
          { name: 'subscribe', usage: 'subscribe [High|Medium|Low|Informational …]', summary: 'Send incident cards of these severities to this conversation', role: 'admin' },
          { name: 'unsubscribe', usage: 'unsubscribe', summary: 'Stop sending incident cards to this conversation', role: 'admin' },
        ],
      },
    },
    {
      name: 'whoami',
      module: 'index',
      render: 'renderWhoAmICard',
      view: {
        name: ada,
        tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
        role: 'admin',
        roles: ['admin'],
        details: {
          aadObjectId: '10000000-0000-4000-8000-000000000001',
          federated: false,
          reasons: ['member of group 3f1b0c2e-6a57-4e3c-9d0b-1a2b3c4d5e6f (admin)'],
        },
      },
    },
    {
      name: 'query-result',
      module: '../queries/result-card',
      render: 'renderQueryResultCard',
      view: {
        title: 'Process events on FILESRV-02, last 24 h',
        context: `Incident #48213 · asked by ${rui} · last 24 h`,
        maxRows: 1000,
        correlationId: '6f1c2a9e',
        outcome: { kind: 'ok', table: { name: 'PrimaryResult', columns: ['TimeGenerated:datetime', 'AccountName:string', 'ProcessCommandLine:string', 'Count:long'].map((c) => ({ name: c.split(':')[0], type: c.split(':')[1] })), rows: [[at, 'svc-backup', 'vssadmin delete shadows /all /quiet', 3], ['2026-11-21T09:05:00Z', 'svc-backup', 'powershell -enc SQBFAFgA…', 1]] } },
      },
    },
    {
      name: 'escalation-notice',
      module: 'escalation-notice-card',
      render: 'renderEscalationCard',
      view: { incidentId, incidentNumber: ransomware.number, severity: 'High', title: ransomware.title, waited: '15 min', mentions: [{ id: '10000000-0000-4000-8000-000000000002', name: rui }], step: 1, steps: 2 },
    },
    {
      name: 'notice',
      module: 'index',
      render: 'renderNoticeCard',
      view: { title: 'Access denied', text: 'Closing an incident needs the responder role; you are a reader.', style: 'attention' },
    },
  ];
}

type Render = (view: unknown) => Record<string, unknown>;

/** The card's render function, or undefined when its module or export does not exist (yet). */
export async function renderFunction(sample: PreviewSample): Promise<Render | undefined> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(`../../cards/${sample.module}`)) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  const fn = mod[sample.render];
  return typeof fn === 'function' ? (fn as Render) : undefined;
}

/** Each sample's card JSON, from the card's own render function; samples without one are skipped. */
export async function renderSamples(samples: PreviewSample[]): Promise<{ cards: Array<{ name: string; card: Record<string, unknown> }>; skipped: PreviewSample[] }> {
  const cards: Array<{ name: string; card: Record<string, unknown> }> = [];
  const skipped: PreviewSample[] = [];
  for (const sample of samples) {
    const render = await renderFunction(sample);
    if (render) cards.push({ name: sample.name, card: render(sample.view) });
    else skipped.push(sample);
  }
  return { cards, skipped };
}

import { sampleSentinelIncident } from '../send-sample-command';

/** Made-up incidents for `argus demo`: different severities, tactics and entity sets. */
interface DemoIncident {
  severity: 'High' | 'Medium' | 'Low' | 'Informational';
  title: string;
  description: string;
  tactics: string[];
  techniques: string[];
  products: string[];
  entities: Array<{ kind: string; properties: Record<string, unknown> }>;
}

const demoIncidents: DemoIncident[] = [
  {
    severity: 'High',
    title: 'Ransomware behaviour: mass file encryption on FILESRV-02',
    description: 'Defender for Endpoint saw a process rename thousands of files with a new extension and delete shadow copies.',
    tactics: ['Impact', 'DefenseEvasion'],
    techniques: ['T1486', 'T1490'],
    products: ['Microsoft Defender for Endpoint'],
    entities: [
      { kind: 'Host', properties: { hostName: 'FILESRV-02', dnsDomain: 'contoso.local', osFamily: 'Windows' } },
      { kind: 'Account', properties: { accountName: 'svc-backup', upnSuffix: 'contoso.com' } },
      { kind: 'Process', properties: { commandLine: 'vssadmin.exe delete shadows /all /quiet', processId: '7312' } },
      { kind: 'FileHash', properties: { algorithm: 'SHA256', hashValue: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' } },
    ],
  },
  {
    severity: 'Medium',
    title: 'Impossible travel: a.khan signed in from two countries within 20 minutes',
    description: 'Sign-ins from Amsterdam and Singapore 20 minutes apart, the second one followed by a new inbox rule.',
    tactics: ['InitialAccess'],
    techniques: ['T1078'],
    products: ['Microsoft Entra ID Protection'],
    entities: [
      { kind: 'Account', properties: { accountName: 'a.khan', upnSuffix: 'contoso.com', aadUserId: '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99' } },
      { kind: 'Ip', properties: { address: '198.51.100.23', location: { countryCode: 'NL', city: 'Amsterdam' } } },
      { kind: 'Ip', properties: { address: '203.0.113.77', location: { countryCode: 'SG', city: 'Singapore' } } },
      { kind: 'CloudApplication', properties: { appName: 'Office 365 Exchange Online', appId: 20892 } },
    ],
  },
  {
    severity: 'Low',
    title: 'Phishing link clicked: credential harvesting page',
    description: 'A user clicked a link to a look-alike sign-in page; Safe Links blocked the page.',
    tactics: ['InitialAccess', 'CredentialAccess'],
    techniques: ['T1566.002'],
    products: ['Microsoft Defender for Office 365'],
    entities: [
      { kind: 'Mailbox', properties: { mailboxPrimaryAddress: 'p.fernandez@contoso.com', displayName: 'Patti Fernandez' } },
      { kind: 'Url', properties: { url: 'https://login-contoso.example.net/owa/auth' } },
      { kind: 'DnsResolution', properties: { domainName: 'login-contoso.example.net' } },
    ],
  },
  {
    severity: 'Informational',
    title: 'Password spray against the VPN gateway',
    description: 'Many accounts, one password attempt each, from a small set of addresses.',
    tactics: ['CredentialAccess'],
    techniques: ['T1110.003'],
    products: ['Microsoft Sentinel'],
    entities: Array.from({ length: 14 }, (_, i) => ({ kind: 'Ip', properties: { address: `192.0.2.${10 + i}` } })),
  },
];

/** Logic App trigger bodies (the shape Sentinel's automation sends) for the demo incidents. */
export function demoSentinelBodies(firstNumber = 1001): Record<string, unknown>[] {
  return demoIncidents.map((d, i) => {
    const body = sampleSentinelIncident({ number: firstNumber + i, severity: d.severity, title: d.title });
    const object = body.object as { id: string; properties: Record<string, unknown> };
    object.properties = {
      ...object.properties,
      description: d.description,
      additionalData: { alertsCount: 1, bookmarksCount: 0, commentsCount: 0, alertProductNames: d.products, tactics: d.tactics, techniques: d.techniques },
      relatedEntities: d.entities.map((e, n) => ({
        id: `${object.id}/entities/${e.kind.toLowerCase()}-${n}`,
        name: `${e.kind.toLowerCase()}-${n}`,
        kind: e.kind,
        type: 'Microsoft.SecurityInsights/Entities',
        properties: e.properties,
      })),
    };
    return body;
  });
}

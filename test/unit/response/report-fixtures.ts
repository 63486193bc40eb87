import type { ClockRecord } from '../../../src/response/clock-records';
import { withDeadlines } from '../../../src/response/clock-records';
import { assessImpact } from '../../../src/response/impact';
import type { ReportData } from '../../../src/response/reports/report-types';
import { buildTimeline } from '../../../src/response/timeline';
import { incidentFacts } from '../../../src/response/timeline-sources';
import type { AuditRecord } from '../../../src/audit/audit-log';

const name = '6f1b7a52-2c4e-4c55-9d0e-3b7f7e1f0a11';
export const sampleHash = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

const clock: ClockRecord = withDeadlines(
  {
    incidentName: name,
    incidentNumber: 4711,
    regime: 'gdpr',
    awareAt: '2026-03-02T10:30:00.000Z',
    startedAt: '2026-03-02T10:35:00.000Z',
    startedBy: { name: 'Rui Responder' },
    milestones: [],
  },
  {},
);

const queryRow: AuditRecord = {
  seq: 7,
  at: '2026-03-02T11:10:00.000Z',
  action: 'query.run',
  outcome: 'succeeded',
  actorId: 'oid-rui',
  actorName: 'Rui Responder',
  actorTenantId: 't1',
  roles: ['responder'],
  target: name,
  correlationId: 'c-1',
  detail: { queryId: 'host-logons', entity: { kind: 'Host', name: 'FIN-WS-042' }, rowCount: 12 },
  prevHash: '0',
  hash: '1',
};

/**
 * A ransomware incident with everything a report can say: raw indicators in its title, description
 * and entities (the executive summary must withhold them), a plan, evidence, a playbook run, a
 * query, a GDPR clock, an impact assessment and a post-mortem.
 */
export function sampleReportData(over: Partial<ReportData> = {}): ReportData {
  const base: Omit<ReportData, 'timeline'> = {
    generatedAt: '2026-03-02T14:00:00.000Z',
    incident: {
      name,
      number: 4711,
      title: 'Ransomware on FIN-WS-042 beaconing to 203.0.113.7',
      description: `Defender saw vssadmin delete shadows; payload ${sampleHash} fetched from hxxp://evil[.]example.com/p.exe and 2001:db8::7.`,
      severity: 'High',
      status: 'Active',
      owner: { assignedTo: 'Rui Responder' },
      labels: [],
      tactics: ['Impact', 'CommandAndControl'],
      techniques: ['T1486', 'T1071'],
      alertCount: 3,
      alertProducts: ['Microsoft Defender for Endpoint'],
      entities: [
        { kind: 'Host', id: 'h1', displayName: 'FIN-WS-042', properties: { hostName: 'FIN-WS-042', osFamily: 'Windows' } },
        { kind: 'Account', id: 'a1', displayName: 'j.doe@contoso.com', properties: { upnSuffix: 'contoso.com' } },
        { kind: 'Ip', id: 'i1', displayName: '203.0.113.7', properties: { address: '203.0.113.7' } },
        { kind: 'FileHash', id: 'f1', displayName: sampleHash, properties: { algorithm: 'SHA256', value: sampleHash } },
        { kind: 'Url', id: 'u1', displayName: 'http://evil.example.com/p.exe', properties: { url: 'http://evil.example.com/p.exe' } },
      ],
      createdTimeUtc: '2026-03-02T10:00:00.000Z',
      firstActivityTimeUtc: '2026-03-02T09:52:00.000Z',
      lastActivityTimeUtc: '2026-03-02T10:05:00.000Z',
      lastModifiedTimeUtc: '2026-03-02T12:00:00.000Z',
    },
    phase: 'containment',
    phaseSince: '2026-03-02T11:30:00.000Z',
    phaseHistory: [
      { phase: 'detection', at: '2026-03-02T10:00:00.000Z', by: 'Argus' },
      { phase: 'investigation', at: '2026-03-02T10:20:00.000Z', by: 'Rui Responder' },
      { phase: 'containment', at: '2026-03-02T11:30:00.000Z', by: 'Rui Responder' },
    ],
    plan: {
      title: 'Ransomware',
      steps: [
        { id: 'isolate', planId: 'ransomware', title: 'Isolate the host', phase: 'containment', type: 'approved', playbook: 'isolate-host', requiresEvidence: false, requiredRole: 'responder', order: 0, status: 'done', by: 'Rui Responder', doneAt: '2026-03-02T11:40:00.000Z', evidence: [], runIds: ['run-1'] },
        { id: 'image', planId: 'ransomware', title: 'Image the disk', phase: 'containment', type: 'manual', requiresEvidence: true, requiredRole: 'responder', order: 1, status: 'pending', evidence: [], runIds: [] },
      ],
    },
    impact: assessImpact({ financial: '10k-100k', operational: 'major', reputational: 'low', regimes: ['gdpr'], affectedAssets: 1, affectedUsers: 40, downtimeMinutes: 90 }),
    evidence: [
      {
        evidenceId: 'ev-1',
        incidentId: name,
        filename: 'fin-ws-042-memory.raw',
        sha256: sampleHash,
        size: 2048,
        purpose: 'memory image',
        custodian: 'Ana Forensics',
        registeredAt: '2026-03-02T11:50:00.000Z',
        registeredBy: 'Ana Forensics',
        custodyEntries: 2,
        lastCustody: { action: 'transferred', at: '2026-03-02T12:10:00.000Z', by: 'Ana Forensics' },
      },
    ],
    clocks: [clock],
    runs: [],
    queries: [queryRow],
    postMortem: {
      status: 'draft',
      summary: 'A phishing mail led to <b>ransomware</b> on one workstation.',
      rootCause: 'Macro execution was allowed for finance users.',
      contributingFactors: 'EDR was in audit mode.',
      lessonsLearned: 'Block macros from the internet.',
      preventionActions: ['Block internet macros by policy', 'Move EDR to block mode'],
      detectionGaps: [{ text: 'sigma: vssadmin shadow copy deletion', sigmaRule: 'vssadmin shadow copy deletion' }],
      savedAt: '2026-03-02T13:00:00.000Z',
      savedBy: 'Rui Responder',
    },
    ...over,
  };
  const facts = incidentFacts(base.incident, []);
  const phases = base.phaseHistory.map((h) => ({ at: h.at, kind: 'phase' as const, title: `Phase: ${h.phase}`, actor: h.by }));
  return { ...base, timeline: buildTimeline(facts.alerts, [...facts.events, ...phases]), ...(over.timeline ? { timeline: over.timeline } : {}) };
}

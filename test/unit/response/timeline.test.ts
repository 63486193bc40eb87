import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attackChain, buildTimeline, mapAttack, type TimelineAlert } from '../../../src/response/timeline';

const alerts: TimelineAlert[] = [
  {
    id: 'a2',
    displayName: 'Ransomware encrypted files',
    productName: 'Microsoft Defender for Endpoint',
    firstSeen: '2026-03-02T10:20:00Z',
    lastSeen: '2026-03-02T10:40:00Z',
    tactics: ['Impact'],
    techniques: ['T1486'],
  },
  {
    id: 'a1',
    displayName: 'PowerShell download cradle',
    productName: 'Argus detections',
    firstSeen: '2026-03-02T10:05:00Z',
    tactics: [],
    techniques: [],
    tags: ['attack.execution', 'attack.t1059.001'],
  },
];

test('alerts, actions and evidence in time order, each mapped to its tactic and technique', () => {
  const timeline = buildTimeline(alerts, [
    { at: '2026-03-02T10:30:00Z', kind: 'action', title: 'Acknowledged', actor: 'Alex' },
    { at: '2026-03-02T10:50:00Z', kind: 'evidence', title: 'Evidence registered: memory.dmp', actor: 'Alex' },
    { at: '2026-03-02T10:20:00Z', kind: 'entity', title: 'Host FILESRV-02' },
    { at: 'not a time', kind: 'comment', title: 'dropped' },
  ]);
  assert.deepEqual(
    timeline.map((e) => [e.at.slice(11, 16), e.kind, e.title, e.tactic ?? '', e.technique ?? '', e.techniqueName ?? '']),
    [
      ['10:05', 'alert', 'Alert: PowerShell download cradle (Argus detections)', 'Execution', 'T1059.001', 'PowerShell'],
      ['10:20', 'alert', 'Alert: Ransomware encrypted files (Microsoft Defender for Endpoint)', 'Impact', 'T1486', 'Data Encrypted for Impact'],
      ['10:20', 'entity', 'Host FILESRV-02', '', '', ''],
      ['10:30', 'action', 'Acknowledged', '', '', ''],
      ['10:40', 'alert', 'Last seen: Ransomware encrypted files (Microsoft Defender for Endpoint)', 'Impact', 'T1486', 'Data Encrypted for Impact'],
      ['10:50', 'evidence', 'Evidence registered: memory.dmp', '', '', ''],
    ],
  );
});

test('a technique without a tactic takes its own; an unknown technique id names nothing', () => {
  assert.deepEqual(mapAttack(['T1003.001']), { tactic: 'Credential Access', technique: 'T1003.001', techniqueName: 'LSASS Memory' });
  assert.deepEqual(mapAttack(['T9999']), {});
  assert.deepEqual(mapAttack(['T1055.011', 'PrivilegeEscalation']), {
    tactic: 'Privilege Escalation',
    technique: 'T1055.011',
    techniqueName: 'Extra Window Memory Injection',
  });
});

test('the ATT&CK chain lists tactic columns in kill-chain order', () => {
  assert.deepEqual(attackChain([...alerts, { id: 'a3', displayName: 'x', tactics: ['InitialAccess'], techniques: ['T1566'] }]), [
    { tactic: 'Initial Access', techniques: [{ id: 'T1566', name: 'Phishing' }] },
    { tactic: 'Execution', techniques: [{ id: 'T1059.001', name: 'PowerShell' }] },
    { tactic: 'Impact', techniques: [{ id: 'T1486', name: 'Data Encrypted for Impact' }] },
  ]);
});

import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { isArgusError } from '../../../src/errors/catalog';
import type { Incident } from '../../../src/incidents/incident';
import { loadPlaybookCatalog } from '../../../src/playbooks/catalog';
import { loadPlanCatalog, parsePlan } from '../../../src/response/plan-catalog';

const playbooks = loadPlaybookCatalog({
  dir: resolve(__dirname, '../../../playbooks'),
  sentinel: { subscriptionId: 'd0cfe6b2-9ac0-4464-9919-dccaee2e48c0', resourceGroup: 'soc-rg' },
  publicUrl: 'https://argus.example.com',
});
const playbook = (id: string) => {
  const p = playbooks.get(id);
  return p ? { approvalRequired: p.approval !== undefined } : undefined;
};
const plans = loadPlanCatalog({ dir: resolve(__dirname, '../../../plans'), playbook });

type Facts = Pick<Incident, 'entities' | 'severity' | 'tactics' | 'alertProducts' | 'title'>;
const entity = (kind: string) => ({ kind, id: `${kind}-1`, displayName: kind, properties: {} });
const incident = (over: Partial<Facts>): Facts => ({ entities: [], severity: 'High', tactics: [], alertProducts: [], title: 'Suspicious activity', ...over });

test('the shipped plans load against the shipped playbooks and cover the usual incident kinds', () => {
  assert.deepEqual(plans.plans.map((p) => p.id).sort(), [
    'compromised-account',
    'data-exfiltration',
    'denial-of-service',
    'general-incident',
    'malware-on-host',
    'phishing',
    'ransomware',
  ]);
  for (const plan of plans.plans) {
    const phasesUsed = new Set(plan.steps.map((s) => s.phase));
    assert.ok(phasesUsed.has('post-incident'), `${plan.id} ends with a lessons-learned step`);
  }
});

test('each incident gets the most specific plan that fits', () => {
  const pick = (f: Partial<Facts>) => plans.select(incident(f))?.plan.id;
  assert.equal(pick({ title: 'Ransomware encrypted files on FILESRV-02', entities: [entity('Host')], tactics: ['Impact'] }), 'ransomware');
  assert.equal(pick({ title: 'Mimikatz ran on FILESRV-02', entities: [entity('Host')], tactics: ['Execution'] }), 'malware-on-host');
  assert.equal(pick({ title: 'Impossible travel', entities: [entity('Account'), entity('Ip')], tactics: ['InitialAccess'] }), 'compromised-account');
  assert.equal(pick({ title: 'User clicked a phishing link', entities: [entity('MailMessage'), entity('Url')] }), 'phishing');
  assert.equal(pick({ title: 'Large upload to file-sharing site', entities: [entity('Host')], tactics: ['Exfiltration'] }), 'data-exfiltration');
  assert.equal(pick({ title: 'DDoS attack on the public web front end' }), 'denial-of-service');
  assert.equal(pick({ title: 'Something odd' }), 'general-incident');
});

test('a plan naming an unknown playbook, or the wrong step type for it, is refused naming the step', () => {
  const plan = (type: string, pb: string) =>
    `id: p1\ntitle: P\nsteps:\n  - { id: s1, title: S, phase: containment, type: ${type}, playbook: ${pb} }\n`;
  const message = (text: string) => {
    try {
      parsePlan(text, 'p1.yaml', playbook);
    } catch (err) {
      assert.ok(isArgusError(err));
      assert.equal(err.code, 'ARGUS_CONFIG_INVALID');
      return err.message;
    }
    assert.fail('the plan was accepted');
  };
  assert.match(message(plan('automated', 'wipe-everything')), /steps\[0\]\.playbook: no playbook 'wipe-everything'/);
  assert.match(message(plan('automated', 'isolate-host')), /needs two-person approval: make the step approved/);
  assert.match(message(plan('approved', 'revoke-sessions')), /needs no approval: make the step automated/);
  assert.equal(parsePlan(plan('approved', 'isolate-host'), 'p1.yaml', playbook).steps[0]?.type, 'approved');
});

test('schema errors name the key: manual steps run no playbook, evidence only on manual steps, phase order, tactics', () => {
  const bad = [
    ['steps:\n  - { id: s1, title: S, phase: containment, type: manual, playbook: isolate-host }', /steps\[0\]\.playbook: a manual step runs no playbook/],
    ['steps:\n  - { id: s1, title: S, phase: containment, type: approved, playbook: isolate-host, requiresEvidence: true }', /requiresEvidence: only manual steps/],
    ['steps:\n  - { id: s1, title: S, phase: recovery, type: manual }\n  - { id: s2, title: T, phase: containment, type: manual }', /steps\[1\]\.phase: steps are listed in phase order/],
    ['steps:\n  - { id: s1, title: S, phase: closed, type: manual }', /steps\[0\]\.phase/],
    ['appliesTo: { tactics: [Teleportation] }\nsteps:\n  - { id: s1, title: S, phase: recovery, type: manual }', /appliesTo\.tactics\[0\]: 'Teleportation' is not an ATT&CK Enterprise tactic/],
    ['steps:\n  - { id: s1, title: S, phase: recovery, type: manual, owner: me }', /steps\[0\]/],
  ] as const;
  for (const [body, pattern] of bad) {
    assert.throws(() => parsePlan(`id: p1\ntitle: P\n${body}\n`, 'p1.yaml', playbook), (err: unknown) => isArgusError(err) && pattern.test(err.message));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attackRelease,
  attackTactics,
  findTactic,
  findTechnique,
  isTechniqueId,
  tacticOrder,
} from '../../../src/response/attack';

test('the bundled ATT&CK table names its release and source', () => {
  assert.equal(attackRelease.domain, 'enterprise-attack');
  assert.match(attackRelease.version, /^\d+\.\d+$/);
  assert.match(attackRelease.source, /MITRE ATT&CK Enterprise v\d+\.\d+/);
});

test('techniques resolve by id, lower case and Sigma tag, with their tactics', () => {
  assert.deepEqual(findTechnique('T1059.001'), { id: 'T1059.001', name: 'PowerShell', tactics: ['execution'] });
  assert.equal(findTechnique('attack.t1486')?.name, 'Data Encrypted for Impact');
  assert.deepEqual(findTechnique('t1055.011')?.tactics, ['defense-evasion', 'privilege-escalation']);
  assert.equal(findTechnique('T1003.001')?.name, 'LSASS Memory');
});

test('an unknown technique id is not named', () => {
  assert.equal(isTechniqueId('T9999.999'), true);
  assert.equal(findTechnique('T9999.999'), undefined);
  assert.equal(findTechnique('T1059.999'), undefined);
  assert.equal(isTechniqueId('attack.execution'), false);
});

test('tactics come in kill-chain order and resolve from Sigma and Sentinel spellings', () => {
  const names = attackTactics().map((t) => t.shortName);
  assert.equal(names.length, 14);
  assert.equal(names[0], 'reconnaissance');
  assert.equal(names.at(-1), 'impact');
  assert.ok(names.indexOf('initial-access') < names.indexOf('execution'));
  assert.ok(names.indexOf('exfiltration') < names.indexOf('impact'));
  assert.equal(findTactic('DefenseEvasion')?.id, 'TA0005');
  assert.equal(findTactic('attack.privilege_escalation')?.id, 'TA0004');
  assert.equal(findTactic('TA0040')?.name, 'Impact');
  assert.equal(findTactic('CommandAndControl')?.shortName, 'command-and-control');
  assert.equal(tacticOrder('InitialAccess'), 2);
  assert.equal(findTactic('PreAttack'), undefined);
});

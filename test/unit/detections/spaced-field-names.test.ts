import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { DetectionEngine } from '../../../src/detections/engine';
import { flatEventToObject } from '../../../src/detections/flatten-event';
import { parseRuleFile } from '../../../src/detections/rule-parser';
import { runRuleTests } from '../../../src/detections/rule-tests';
import type { SigmaRule } from '../../../src/detections/sigma-rule';

/**
 * Microsoft Defender (and other providers) name EventData with spaces (`Threat Name`, `Source Name`)
 * where Sigma rules write `ThreatName`, `SourceName`, as SigmaHQ's regression tooling does.
 */
const repo = resolve(__dirname, '../../..');
const windefend = join(repo, 'detections/windows/windefend');

function ruleFile(name: string): SigmaRule {
  const parsed = parseRuleFile(readFileSync(join(windefend, name), 'utf8'), name);
  assert.deepEqual(parsed.failures, []);
  return parsed.rules[0] as SigmaRule;
}

function inlineRule(yaml: string): SigmaRule {
  const parsed = parseRuleFile(yaml, 'inline.yml');
  assert.deepEqual(parsed.failures, []);
  return parsed.rules[0] as SigmaRule;
}

const defenderChannel = 'Microsoft-Windows-Windows Defender/Operational';

/** A Defender event as EVTX exports render it: Event.System / Event.EventData with spaced names. */
function defenderEvent(eventId: number, data: Record<string, string>): Record<string, unknown> {
  return {
    Event: {
      System: {
        Provider: { '#attributes': { Name: 'Microsoft-Windows-Windows Defender', Guid: '{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}' } },
        EventID: eventId,
        Level: eventId === 1119 ? 2 : 3,
        Channel: defenderChannel,
        Computer: 'fin-ws-042.contoso.test',
        EventRecordID: 90000 + eventId,
      },
      EventData: {
        'Product Name': 'Microsoft Defender Antivirus',
        'Severity Name': 'Severe',
        'Category Name': 'Trojan',
        'Detection User': 'CONTOSO\\alice',
        'Process Name': 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
        ...data,
      },
    },
  };
}

const amsi1116 = defenderEvent(1116, { 'Threat Name': 'Trojan:PowerShell/Mimikittenz.A', 'Source Name': 'AMSI', Path: 'amsi:_\\Device\\HarddiskVolume3\\x.ps1' });
const failed1119 = defenderEvent(1119, {
  'Threat Name': 'HackTool:Win32/Mimikatz.D',
  'Source Name': 'Real-Time Protection',
  'Error Description': 'The process cannot access the file because it is being used by another process.',
});

test('the SigmaHQ AMSI rule fires on a Defender 1116 whose data names carry spaces, and says which field held', () => {
  const engine = new DetectionEngine([ruleFile('win_defender_malware_detected_amsi_source.yml')]);
  const { flat, matches } = engine.evaluate(amsi1116);
  assert.equal(matches.length, 1);
  const explanation = matches[0]?.explanation;
  assert.equal(explanation?.logsource, 'windows-windefend');
  assert.deepEqual(
    explanation?.matches.map((m) => [m.field, m.eventField, m.actual]),
    [
      ['EventID', 'EventID', '1116'],
      ['SourceName', 'Source Name', 'AMSI'],
    ],
  );
  // The alert carries the event as recorded: no invented field names.
  const recorded = flatEventToObject(flat);
  assert.equal(recorded['Source Name'], 'AMSI');
  assert.equal('SourceName' in recorded, false);
  assert.equal(engine.evaluate(defenderEvent(1116, { 'Source Name': 'Real-Time Protection' })).matches.length, 0);
});

test('a ThreatName selection fires on a Defender 1119 (failed remediation) and not on other threats', () => {
  const engine = new DetectionEngine([ruleFile('win_defender_remediation_failed_hacktool.yml')]);
  assert.equal(engine.evaluate(failed1119).matches.length, 1);
  assert.equal(engine.evaluate(defenderEvent(1119, { 'Threat Name': 'Trojan:Win32/Wacatac.B!ml' })).matches.length, 0);
  assert.equal(engine.evaluate(defenderEvent(1116, { 'Threat Name': 'HackTool:Win32/Mimikatz.D' })).matches.length, 0);
});

test('rule fields written with spaces, modifiers, exists and field mappings reach spaced names too', () => {
  const rule = (detection: string, logsource = '{product: windows, service: windefend}') =>
    inlineRule(`title: t\nid: 0b7c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d\nlogsource: ${logsource}\ndetection:\n${detection}\n`);
  const cases: [string, SigmaRule, Record<string, unknown>, number][] = [
    ['a rule naming the field with its space', rule("    sel:\n        'Threat Name|contains': 'Mimikatz'\n    condition: sel"), failed1119, 1],
    ['a flat event keyed with the space', rule("    sel:\n        'Threat Name': 'HackTool:Win32/Mimikatz.D'\n    condition: sel"), { Channel: defenderChannel, EventID: 1119, 'Threat Name': 'HackTool:Win32/Mimikatz.D' }, 1],
    ['exists on the space-less name', rule('    sel:\n        DetectionUser|exists: true\n    condition: sel'), failed1119, 1],
    ['a missing spaced field stays missing', rule('    sel:\n        RemediationUser|exists: true\n    condition: sel'), failed1119, 0],
    ['null on a present spaced field', rule('    sel:\n        SeverityName: null\n    condition: sel'), failed1119, 0],
    ['the antivirus category maps Signature to ThreatName', rule("    sel:\n        Signature|startswith: 'HackTool:'\n    condition: sel", '{category: antivirus}'), defenderEvent(1116, { 'Threat Name': 'HackTool:Win32/Mimikatz.D' }), 1],
    ['a keyword search sees the spaced fields', rule("    keywords:\n        - 'Mimikatz.D'\n    condition: keywords"), failed1119, 1],
  ];
  for (const [name, r, event, expected] of cases) assert.equal(new DetectionEngine([r]).evaluate(event).matches.length, expected, name);
});

test('a field recorded without spaces wins over a spaced one of the same name', () => {
  const r = inlineRule("title: t\nid: 1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f\nlogsource: {product: windows, service: windefend}\ndetection:\n    sel:\n        SourceName: AMSI\n    condition: sel\n");
  const engine = new DetectionEngine([r]);
  const both = (own: string, spaced: string) => ({ Event: { System: { EventID: 1116, Channel: defenderChannel }, EventData: { SourceName: own, 'Source Name': spaced } } });
  assert.equal(engine.evaluate(both('AMSI', 'Real-Time Protection')).matches.length, 1);
  assert.equal(engine.evaluate(both('Real-Time Protection', 'AMSI')).matches.length, 0);
});

test('the shipped windefend rules pass their tests (argus detect test)', () => {
  const results = runRuleTests('detections/windows/windefend', { cwd: repo });
  assert.ok(results.length >= 5, JSON.stringify(results));
  for (const r of results) assert.ok(r.passed, `${r.ruleFile} · ${r.test}: expected ${r.expected}, got ${r.actual} ${r.detail ?? ''}`);
});

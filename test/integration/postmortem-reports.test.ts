import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signReportLink } from '../../src/response/reports/report-links';
import { tableNames } from '../../src/storage/table-store';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { pdfText } from '../helpers/pdf-text';
import { invoke as sendInvoke, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { runCliHere, type CliRun } from '../helpers/run-cli';

const people = testPeople('31000000');
const { responder, reader } = people;
const linkSecret = 'test-report-link-secret';
const created = sentinelFixture('logic-app-incident-created.json') as { object: { name: string; properties: Record<string, any> } };
const incidentName = created.object.name;
const incidentNumber = String(created.object.properties.incidentNumber);

let h: Harness;
let spot: ChannelSpot;
const text = (v: unknown) => JSON.stringify(v);
const invoke = (verb: string, data: Record<string, unknown>, user = responder) => sendInvoke(h, spot, user, verb, { incidentId: incidentName, ...data });
const close = () => invoke('incident.close', { classification: 'TruePositive', classificationReason: 'SuspiciousActivity' });
const form = { summary: 'A download cradle ran on one workstation.', rootCause: 'PowerShell was not constrained for finance users.', contributingFactors: '', lessonsLearned: 'Constrained language mode.', preventionActions: 'Enable constrained language mode\nAlert on download cradles', detectionGaps: 'sigma: powershell download cradle' };

/** Every object of a card whose `key` is `value` (actions by verb, inputs by id). */
function cardParts(card: unknown, key: string, value: string): Record<string, any>[] {
  const found: Record<string, any>[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      if ((n as Record<string, unknown>)[key] === value) found.push(n as Record<string, any>);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
}

async function auditRows(action: string): Promise<Record<string, any>[]> {
  const rows: Record<string, any>[] = [];
  for await (const e of h.table(tableNames.audit).listEntities<Record<string, unknown>>()) if (e.action === action) rows.push({ ...e, detail: JSON.parse(String(e.detail ?? '{}')) });
  return rows.sort((a, b) => Number(a.seq) - Number(b.seq));
}

function argus(...args: string[]): Promise<CliRun> {
  return runCliHere(args, { env: h.azurite.env });
}

/** The link the Report action answered with, pointed at this Argus (publicUrl names where users reach it). */
async function reportLink(type: string, format: string): Promise<URL> {
  const res = await invoke('incident.report', { type, format });
  const card = res.value as { actions: Array<{ type: string; url?: string }> };
  const open = card.actions.find((a) => a.type === 'Action.OpenUrl');
  const url = open?.url ?? '';
  assert.ok(url.startsWith('https://argus.example.com/reports/'), text(card));
  return new URL(url.replace('https://argus.example.com', h.url));
}

describe('post-mortems and reports: the closing gate of a High incident, signed report links', () => {
  before(async () => {
    h = await startHarness({
      configYaml: `tenantId: ${home}
publicUrl: https://argus.example.com
${accessYaml(people, 'responder')}
response: { gates: { ownerForInvestigation: false, stepsSettledToLeave: false } }
`,
      env: { ARGUS_SECRET_REPORT_LINK_SECRET: linkSecret },
    });
    spot = await subscribedChannel(h, '19:reports@thread.tacv2', people.admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', created)).status, 202);
    await h.connector.waitFor((c) => c.kind === 'send' && /Response: Detection/.test(text(h.connector.cardOf(c))));
  });

  after(() => h?.stop());

  test('a High incident closes only after its post-mortem is completed; saving a draft is not enough', async () => {
    const moved = (await invoke('incident.phase', { phase: 'post-incident' })).value;
    assert.match(text(moved), /Phase Detection → Post-incident/);
    assert.match(text((await close()).value), /Not closed: a High incident closes only after its post-mortem is completed/);
    assert.match(text((await invoke('postmortem.complete', { ...form, rootCause: '' })).value), /Post-mortem not completed: it needs the root cause/);
    assert.match(text((await invoke('postmortem.save', form, reader)).value), /Access denied/);
    // Saved the way Teams sends it: the card's own action data with the form's inputs.
    const [save] = cardParts(moved, 'verb', 'postmortem.save');
    assert.deepEqual(cardParts(moved, 'verb', 'incident.report').map((a) => a.data), [{ incidentId: incidentName }]);
    const saved = (await sendInvoke(h, spot, responder, 'postmortem.save', { ...save!.data, ...form })).value;
    assert.match(text(saved), /Post-mortem draft saved by/);
    assert.equal(cardParts(saved, 'id', 'rootCause')[0]?.value, form.rootCause, 'the form comes back prefilled from the draft');
    assert.equal((await h.table(tableNames.response).getEntity(incidentName, 'postmortem')).status, 'draft');
    assert.match(text((await close()).value), /Not closed: .*post-mortem/);
    const done = (await invoke('postmortem.complete', form)).value;
    assert.match(text(done), /Post-mortem completed by/);
    assert.deepEqual([cardParts(done, 'verb', 'postmortem.save').length, /Root cause.*PowerShell was not constrained/.test(text(done))], [0, true], 'read-only once completed');
    const row = await h.table(tableNames.response).getEntity(incidentName, 'postmortem');
    assert.equal(row.status, 'completed');
    assert.deepEqual(JSON.parse(String(row.preventionActions)), ['Enable constrained language mode', 'Alert on download cradles']);
    assert.match(text((await close()).value), /Closed as TruePositive/);
    assert.deepEqual((await auditRows('postmortem.complete')).map((r) => [r.outcome, r.detail.sigmaRules ?? null]), [['rejected', null], ['succeeded', ['powershell download cradle']]]);
    const md = await argus('report', incidentNumber, '--type', 'postmortem', '--format', 'md');
    assert.equal(md.code, 0, md.err);
    assert.match(md.out, /PowerShell was not constrained for finance users/);
    assert.match(md.out, /Sigma rule to write: powershell download cradle/);
  });

  test('the Report action answers with a signed link that serves the report while valid; altered or expired gets 403; every opening is audited', async () => {
    const url = await reportLink('executive', 'html');
    const ok = await fetch(url);
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(ok.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await ok.text();
    assert.match(html, /Executive summary/);
    // The incident's IP address, URL and file hash are in Argus, never in the executive summary.
    assert.doesNotMatch(html, /203\.0\.113\.45|f8810179ab03|http:\/\//);

    const pdf = await fetch(await reportLink('technical', 'pdf'));
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.match(pdfText(Buffer.from(await pdf.arrayBuffer())), /Technical analysis/);

    const id = url.pathname.split('/').pop()!;
    const exp = Number(url.searchParams.get('exp'));
    const altered = new URL(url);
    altered.searchParams.set('exp', String(exp + 86_400));
    const forged = new URL(url);
    forged.searchParams.set('sig', signReportLink('not-the-secret', id, exp));
    const past = Math.floor(Date.now() / 1000) - 60;
    const expired = new URL(url);
    expired.searchParams.set('exp', String(past));
    expired.searchParams.set('sig', signReportLink(linkSecret, id, past));
    for (const bad of [altered, forged, expired]) assert.equal((await fetch(bad)).status, 403, bad.search);
    assert.equal((await fetch(url)).status, 200, 'the valid link still works');

    const opened = await auditRows('report.open');
    assert.deepEqual(opened.map((r) => [r.outcome, r.detail.reason ?? r.detail.type]), [['succeeded', 'executive'], ['succeeded', 'technical'], ['rejected', 'bad-signature'], ['rejected', 'bad-signature'], ['rejected', 'expired'], ['succeeded', 'executive']]);
    assert.deepEqual((await auditRows('incident.report')).map((r) => [r.outcome, r.detail.type, r.actorId]), [['succeeded', 'executive', responder.aadObjectId], ['succeeded', 'technical', responder.aadObjectId]]);
    assert.match(text((await invoke('incident.report', { type: 'executive' }, reader)).value), /Access denied|responder/);
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { hasIndicator, withoutIndicators } from '../../../src/response/reports/indicators';
import { escapeHtml } from '../../../src/response/reports/render-html';
import { renderReport } from '../../../src/response/reports/report-render';
import { reportFormats, reportTypes, reportTypeTitles } from '../../../src/response/reports/report-types';
import { pdfText } from '../../helpers/pdf-text';
import { sampleHash, sampleReportData } from './report-fixtures';

const asText = (content: string | Buffer, format: string) => (format === 'pdf' ? pdfText(content as Buffer) : String(content));

test('every report type renders in every format from the same data; the PDF is a valid file whose text can be extracted', async () => {
  const data = sampleReportData();
  for (const type of reportTypes) {
    for (const format of reportFormats) {
      const r = await renderReport(type, format, data);
      assert.equal(r.filename, `incident-4711-${type}.${format}`);
      const text = asText(r.content, format);
      assert.ok(text.includes(reportTypeTitles[type]), `${type}.${format} names its type`);
      for (const section of r.document.sections) assert.ok(text.includes(format === 'html' ? escapeHtml(section.heading) : section.heading), `${type}.${format} has section ${section.heading}`);
      if (format === 'pdf') assert.equal((r.content as Buffer).subarray(0, 5).toString(), '%PDF-');
    }
  }
});

test('the technical analysis holds the timeline with ATT&CK, the indicators, evidence hashes and custody, queries', async () => {
  const text = String((await renderReport('technical', 'md', sampleReportData())).content);
  assert.match(text, /T1486 Data Encrypted for Impact/);
  assert.ok(text.includes('203.0.113.7'));
  assert.ok(text.includes(sampleHash));
  assert.match(text, /2 entries; last transferred by Ana Forensics/);
  assert.match(text, /host-logons \| Host FIN-WS-042 \| 12/);
});

test('the compliance report lists each regime, the awareness time and each milestone with its legal source', async () => {
  const text = String((await renderReport('compliance', 'md', sampleReportData())).content);
  assert.match(text, /GDPR \| 2026-03-02 10:30 UTC/);
  assert.match(text, /Notify the supervisory authority \| GDPR Art\. 33\(1\) \| 2026-03-05 10:30 UTC \| open/);
});

test('the executive summary holds no raw indicator (IP address, hash, URL, e-mail, domain) in any format', async () => {
  for (const format of reportFormats) {
    const r = await renderReport('executive', format, sampleReportData());
    const text = asText(r.content, format);
    for (const raw of ['203.0.113.7', sampleHash, 'evil', 'contoso.com', '2001:db8', 'http']) assert.ok(!text.includes(raw), `${format} leaks ${raw}`);
    assert.equal(hasIndicator(text), false, `${format} has no IP, hash or URL`);
    assert.match(text, /Decisions needed/);
    assert.match(text, /assessed as high/);
  }
});

test('indicators are withheld in every common form, ordinary words and times are not', () => {
  for (const raw of ['10.0.0.1', '203.0.113.7:443', '1.2.3[.]4', 'fe80::1', '2001:0db8:0000:0000:0000:ff00:0042:8329', sampleHash, 'd41d8cd98f00b204e9800998ecf8427e', 'https://x.test/a', 'hxxp://evil[.]com', 'bob@corp.example'])
    assert.equal(withoutIndicators(`see ${raw} now`), 'see [indicator withheld] now', raw);
  for (const ok of ['at 2026-03-02 10:30 UTC', 'version 10.0.19041', '3 of 5 steps', 'report.pdf'])
    assert.equal(withoutIndicators(ok), ok);
});

test('text from outside never becomes markup: escaped in HTML and Markdown, drawn as text in PDF', async () => {
  const hostile = sampleReportData({
    incident: { ...sampleReportData().incident, title: '<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>' },
  });
  const html = String((await renderReport('technical', 'html', hostile)).content);
  assert.ok(!html.includes('<script>') && !html.includes('<img'), 'no element from outside');
  assert.ok(html.includes('&#60;script&#62;'));
  const md = String((await renderReport('technical', 'md', hostile)).content);
  assert.doesNotMatch(md, /(^|[^\\])(<script|<img|\[click\])/, 'no unescaped tag or link from outside');
  assert.ok(md.includes('\\<script\\>') && md.includes('\\[click\\]'));
  const pdf = pdfText((await renderReport('technical', 'pdf', hostile)).content as Buffer);
  assert.ok(pdf.replace(/\s+/g, ' ').includes('<script>alert(1)</script>'), 'the PDF shows the title as written');
});

test('the post-mortem report tells its parts and names the Sigma rules to write; without one it says so', async () => {
  const text = String((await renderReport('postmortem', 'md', sampleReportData())).content);
  assert.match(text, /Root cause\n\nMacro execution was allowed/);
  assert.match(text, /- Block internet macros by policy/);
  assert.match(text, /Sigma rule to write: vssadmin shadow copy deletion/);
  assert.ok(text.includes('\\<b\\>ransomware\\</b\\>'));
  const none = String((await renderReport('postmortem', 'md', sampleReportData({ postMortem: undefined }))).content);
  assert.match(none, /No post-mortem has been written yet/);
});

test("the README's sample report is generated: it is exactly what the executive summary of the sample incident renders", async () => {
  const readme = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
  const shown = /<!-- report-sample:start -->\n````markdown\n([^]*?)````\n<!-- report-sample:end -->/.exec(readme)?.[1];
  assert.equal(shown, String((await renderReport('executive', 'md', sampleReportData())).content));
});

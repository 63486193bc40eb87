import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { builtinLayouts } from '../../src/cards/layouts';
import { runCli } from '../../src/cli/main';
import { sentinelFixture, startHarness, subscribedChannel, type Harness } from '../helpers/argus-harness';
import { startGraphTestbed, type GraphTestbed } from '../helpers/fake-graph';
import { layoutMarker, layoutSiteId, markedIncidentLayout } from '../helpers/fake-graph-drive';
import { accessYaml, home, testPeople } from '../helpers/test-people';
import { waitFor } from '../helpers/wait-for';

const people = testPeople();
const marker = layoutMarker;
const siteId = layoutSiteId;
const markedIncident = markedIncidentLayout;

let graph: GraphTestbed;
let h: Harness;
let dir: string;

describe('card layouts from SharePoint', () => {
  before(async () => {
    graph = await startGraphTestbed({
      users: [],
      groups: {},
      drive: { siteId, files: { 'argus-cards/incident.json': markedIncident(), 'argus-cards/help.json': '{"type": "AdaptiveCard", "body": [' } },
    });
    const configYaml = `tenantId: ${home}
graph: { endpoint: "${graph.graph.endpoint}" }
${accessYaml(people, 'reader')}
cards: { sharePoint: { siteId: "${siteId}", folder: argus-cards, refresh: PT5M } }
`;
    dir = mkdtempSync(join(tmpdir(), 'argus-layouts-'));
    writeFileSync(join(dir, 'argus.config.yaml'), configYaml);
    h = await startHarness({ configYaml });
  });
  after(async () => {
    await h?.stop();
    await graph?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the valid layout draws the posted card; the broken one falls back with a warning', async () => {
    await waitFor(() => h.logs.lines.some((l) => l.msg === 'card layout from SharePoint in use' && l.view === 'incident'), { what: 'the first layout sync' });
    const warning = h.logs.lines.find((l) => l.level === 40 && l.view === 'help');
    assert.match(String(warning?.problem), /not JSON/);
    assert.equal(warning?.etag, graph.graph.drive?.eTagOf('argus-cards/help.json'));
    await subscribedChannel(h, '19:soc@thread.tacv2', people.admin, home);
    assert.equal((await h.signedPost('/api/webhooks/sentinel', sentinelFixture('logic-app-incident-created.json'))).status, 202);
    const posted = await h.connector.waitFor((c) => c.kind === 'send' && h.connector.cardOf(c) !== undefined);
    assert.match(JSON.stringify(h.connector.cardOf(posted)), new RegExp(marker));
    assert.ok(graph.graph.requests.some((r) => r.path === '/_layouts/15/download.aspx'), 'the content came through the 302 to the download URL');
  });

  test('argus cards sync --json says where each layout comes from', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await runCli(['cards', 'sync', '--json'], { stdout, stderr: new PassThrough(), stdin: Readable.from(['']), env: {}, cwd: dir });
    const rows = JSON.parse(out) as Array<{ view: string; source: string; etag?: string; problem?: string }>;
    assert.equal(code, 1, 'a problem makes it exit 1');
    assert.deepEqual(rows.find((r) => r.view === 'incident'), { view: 'incident', source: 'sharepoint', etag: graph.graph.drive?.eTagOf('argus-cards/incident.json') });
    assert.match(rows.find((r) => r.view === 'help')?.problem ?? '', /not JSON/);
    assert.deepEqual(rows.find((r) => r.view === 'whoami'), { view: 'whoami', source: 'builtin' });
    assert.equal(rows.length, Object.keys(builtinLayouts).length);
  });
});

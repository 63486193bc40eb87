import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderHelpCard, renderIncidentCard } from '../../../src/cards';
import { builtinLayouts, cardViews, installLayout } from '../../../src/cards/layouts';
import { createDriveReader } from '../../../src/layouts/drive-reader';
import { checkLayout } from '../../../src/layouts/layout-check';
import { createLayoutSync } from '../../../src/layouts/layout-sync';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { activeIncident } from '../cards/incident-fixtures';
import { layoutMarker, layoutSiteId, markedIncidentLayout } from '../../helpers/fake-graph-drive';
import { driveStub } from './drive-stub';

const marker = layoutMarker;
const siteId = layoutSiteId;
const markedIncident = markedIncidentLayout;

const settings = { siteId, folder: 'argus-cards' };
const incidentView = () => ({ incident: activeIncident(), sentinelConnected: true, showActions: true });

test('checkLayout takes every built-in layout and a changed one, and says why it refuses the rest', async () => {
  for (const view of cardViews) assert.deepEqual(await checkLayout(view, JSON.stringify(builtinLayouts[view])), { ok: true, json: builtinLayouts[view] }, view);
  assert.equal((await checkLayout('incident', markedIncident())).ok, true);
  const refused = async (view: 'incident' | 'help', text: string) => {
    const checked = await checkLayout(view, text);
    assert.equal(checked.ok, false, text.slice(0, 60));
    return checked.ok ? '' : checked.problem;
  };
  assert.match(await refused('help', '{"type": "AdaptiveCard", '), /not JSON/);
  assert.match(await refused('help', '[]'), /not an Adaptive Card/);
  const verb = { type: 'AdaptiveCard', version: '1.5', body: [], actions: [{ type: 'Action.Execute', title: 'Do it', verb: 'incident.delete' }] };
  assert.match(await refused('help', JSON.stringify(verb)), /verbs the help card does not have: incident\.delete/);
  const unknownElement = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlok', text: 'x' }] };
  assert.match(await refused('help', JSON.stringify(unknownElement)), /Adaptive Cards (parser|validation)/);
  const unbound = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${noSuchField}' }] };
  assert.match(await refused('help', JSON.stringify(unbound)), /unbound/);
  const huge = { type: 'AdaptiveCard', version: '1.5', body: Array.from({ length: 400 }, () => ({ type: 'TextBlock', text: 'x'.repeat(100) })) };
  assert.match(await refused('incident', JSON.stringify(huge)), /28672|over/);
});

test('a valid layout is used, a broken one falls back with a warning, and an unchanged file is answered 304', async () => {
  const logs = createMemoryLogStream();
  const { drive, get, seen } = driveStub({ siteId, files: { 'argus-cards/incident.json': markedIncident(), 'argus-cards/help.json': '{"type": "AdaptiveCard", "body": [' } });
  const sync = createLayoutSync({ reader: createDriveReader(settings, get), logger: createLogger({ level: 'info', destination: logs }), install: true });
  try {
    const first = await sync.run();
    const incidentETag = drive.eTagOf('argus-cards/incident.json');
    assert.deepEqual(first.find((s) => s.view === 'incident'), { view: 'incident', source: 'sharepoint', etag: incidentETag });
    const help = first.find((s) => s.view === 'help');
    assert.equal(help?.source, 'builtin');
    assert.match(help?.problem ?? '', /not JSON/);
    assert.deepEqual(first.find((s) => s.view === 'whoami'), { view: 'whoami', source: 'builtin' }, 'no file: built-in, nothing wrong');
    assert.match(JSON.stringify(renderIncidentCard(incidentView())), new RegExp(marker));
    assert.ok(renderHelpCard({ commands: [] }), 'the help card renders with the built-in layout');
    assert.ok(logs.lines.some((l) => l.level === 40 && l.view === 'help' && /rejected/.test(String(l.msg))), 'the log says why');

    seen.length = 0;
    const second = await sync.run();
    assert.deepEqual(second, first);
    const incidentReads = seen.filter((r) => r.path.includes('incident.json'));
    assert.deepEqual(incidentReads.map((r) => r.headers['If-None-Match']), [incidentETag], 'one conditional read, answered 304');
    assert.ok(!seen.some((r) => r.path.endsWith('/content')), 'nothing downloaded again');

    drive.put('argus-cards/incident.json', JSON.stringify(builtinLayouts.incident));
    const third = await sync.run();
    assert.equal(third.find((s) => s.view === 'incident')?.etag, drive.eTagOf('argus-cards/incident.json'));
    assert.doesNotMatch(JSON.stringify(renderIncidentCard(incidentView())), new RegExp(marker));

    drive.put('argus-cards/incident.json', markedIncident());
    drive.put('argus-cards/help.json', undefined);
    const fourth = await sync.run();
    assert.deepEqual(fourth.find((s) => s.view === 'help'), { view: 'help', source: 'builtin' });
    assert.match(JSON.stringify(renderIncidentCard(incidentView())), new RegExp(marker));
  } finally {
    for (const view of cardViews) installLayout(view, undefined);
  }
});

test('when Graph refuses or fails, the layout in use stays and the status says why', async () => {
  const options = { siteId, files: { 'argus-cards/incident.json': markedIncident() } };
  const { get } = driveStub(options);
  let fail: 'no' | 'refuse' | 'throw' = 'no';
  const sync = createLayoutSync({
    reader: createDriveReader(settings, async (path, headers) => {
      if (fail === 'throw') throw new Error('getaddrinfo ENOTFOUND graph.microsoft.com');
      if (fail === 'refuse') return new Response(JSON.stringify({ error: { code: 'accessDenied', message: 'Access denied' } }), { status: 403 });
      return get(path, headers);
    }),
    logger: createLogger({ level: 'silent' }),
    install: true,
  });
  try {
    await sync.run();
    fail = 'refuse';
    const refused = (await sync.run()).find((s) => s.view === 'incident');
    assert.equal(refused?.source, 'sharepoint');
    assert.match(refused?.problem ?? '', /403.*Sites\.Selected.*kept the sharepoint layout/);
    assert.match(JSON.stringify(renderIncidentCard(incidentView())), new RegExp(marker), 'an outage changes no card');
    fail = 'throw';
    assert.match((await sync.run()).find((s) => s.view === 'incident')?.problem ?? '', /did not answer \(getaddrinfo/);
    fail = 'no';
    assert.deepEqual((await sync.run()).find((s) => s.view === 'incident')?.problem, undefined, 'the next answer clears it');
  } finally {
    for (const view of cardViews) installLayout(view, undefined);
  }
});

test('the reader addresses a library by drive id and keeps ids out of the path structure', async () => {
  const { get, seen } = driveStub({ siteId, driveId: 'b!Xk2PqR7_abc-123', files: { 'cards/v2/notice.json': JSON.stringify(builtinLayouts.notice) } });
  const reader = createDriveReader({ siteId, driveId: 'b!Xk2PqR7_abc-123', folder: 'cards/v2' }, get);
  const file = await reader.read('notice.json');
  assert.equal(file.kind, 'file');
  assert.equal(seen[0]?.path, '/drives/b!Xk2PqR7_abc-123/root:/cards/v2/notice.json?$select=id,eTag,size,file');
  assert.deepEqual(await reader.read('help.json'), { kind: 'missing' });
});

import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { CliIO } from '../../src/cli/command';
import { runCli } from '../../src/cli/main';
import { detectionAlertSchema, type DetectionAlert } from '../../src/detections/alert';
import { runIngest } from '../../src/detections/ingest/run-ingest';
import { loadEngine } from '../../src/detections/rule-loader';
import { verifySignature } from '../../src/security/signature';
import { sendJson, startTestServer, type TestServer } from '../helpers/http-server';
import { waitFor } from '../helpers/wait-for';

const secret = 'alerts-secret-for-tests';
const env = { ARGUS_SECRET_ALERTS_WEBHOOK_SECRET: secret };
const work = mkdtempSync(join(tmpdir(), 'argus-ingest-'));
const rules = join(work, 'rules');

const sysmon = (image: string, record: number) =>
  JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Computer: 'ws1', EventRecordID: record, Image: image, CommandLine: `${image} /all` });
const whoami = (record: number) => sysmon('C:\\Windows\\System32\\whoami.exe', record);
const notepad = (record: number) => sysmon('C:\\Windows\\notepad.exe', record);

/** A stand-in for a running Argus: verifies the signature and the schema, stores alerts by id. */
interface FakeArgus {
  server: TestServer;
  stored: Map<string, DetectionAlert>;
  /** Answers to give before behaving normally (status codes), consumed in order. */
  script: number[];
}

let argusFake: FakeArgus;

async function startFakeArgus(): Promise<FakeArgus> {
  const stored = new Map<string, DetectionAlert>();
  const script: number[] = [];
  const server = await startTestServer((req, res) => {
    if (req.method !== 'POST' || req.path !== '/api/webhooks/alerts') return sendJson(res, 404, { error: { code: 'ARGUS_NOT_FOUND' } });
    const check = verifySignature(req.headers['x-argus-signature'] as string | undefined, Buffer.from(req.body), [secret]);
    if (!check.ok) return sendJson(res, 401, { error: { code: 'ARGUS_BAD_SIGNATURE', message: check.reason } });
    const scripted = script.shift();
    if (scripted) return sendJson(res, scripted, { error: { code: scripted === 400 ? 'ARGUS_BAD_PAYLOAD' : 'ARGUS_NOT_READY' } }, scripted === 429 ? { 'retry-after': '0' } : {});
    const parsed = detectionAlertSchema.safeParse(req.json);
    if (!parsed.success) return sendJson(res, 400, { error: { code: 'ARGUS_BAD_PAYLOAD' } });
    const duplicate = stored.has(parsed.data.id);
    stored.set(parsed.data.id, parsed.data);
    return sendJson(res, duplicate ? 200 : 202, { eventId: parsed.data.id, duplicate });
  });
  return { server, stored, script };
}

before(async () => {
  mkdirSync(rules, { recursive: true });
  writeFileSync(
    join(rules, 'whoami.yml'),
    `title: Whoami
id: 3c2b1a00-0000-4000-8000-00000000aaaa
level: low
tags: [attack.discovery, attack.t1033]
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\whoami.exe'
    condition: sel
`,
  );
  argusFake = await startFakeArgus();
});
after(async () => {
  await argusFake.server.close();
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  done: Promise<number>;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stderr contains `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

function start(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Run {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => {
    err += c.toString();
    for (const w of [...waiters]) {
      const m = err.match(w.pattern);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const io: CliIO = { stdout, stderr, stdin: Readable.from([options.stdin ?? '']), env: options.env ?? env, cwd: work };
  return {
    done: runCli(['ingest', '--rules', rules, '--progress', '0', ...args], io),
    stdout: () => out,
    stderr: () => err,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const m = err.match(pattern);
        if (m) return resolve(m);
        waiters.push({ pattern, resolve });
        setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr: ${err}`)), 5000).unref();
      }),
  };
}

test('--file --to posts each alert, signed, and a second run is recognised as duplicates', async () => {
  const file = join(work, 'batch.jsonl');
  writeFileSync(file, [whoami(1), notepad(2), whoami(3)].join('\n'));
  const first = start(['--file', file, '--to', argusFake.server.url]);
  assert.equal(await first.done, 0, first.stderr());
  assert.equal(first.stdout(), '', 'with --to and no --out, alerts are not printed');
  assert.match(first.stderr(), /3 events, 2 matches, 0 unusable .*: 2 delivered, 0 already there, 0 rejected, 0 failed/);
  assert.equal(argusFake.stored.size, 2);
  const alert = [...argusFake.stored.values()][0] as DetectionAlert;
  assert.equal(alert.ruleId, '3c2b1a00-0000-4000-8000-00000000aaaa');
  assert.equal(alert.source, file);
  assert.deepEqual(alert.explanation.matchedSelections, ['sel']);

  const second = start(['--file', file, '--to', `${argusFake.server.url}/api/webhooks/alerts`, '--out', '-']);
  assert.equal(await second.done, 0);
  assert.match(second.stderr(), /0 delivered, 2 already there/);
  assert.equal(second.stdout().trim().split('\n').length, 2, '--out - prints them as well');
  assert.equal(argusFake.stored.size, 2);
});

test('retryable answers are retried; a rejected alert is reported and the run goes on', async () => {
  const file = join(work, 'retry.jsonl');
  writeFileSync(file, [whoami(10), whoami(11)].join('\n'));
  const before = argusFake.server.requests.length;
  argusFake.script.push(503, 429, 400);
  const run = start(['--file', file, '--to', argusFake.server.url]);
  assert.equal(await run.done, 1, 'an alert Argus refused makes the exit status non-zero');
  // Alert 1: 503, 429 (Retry-After: 0), 400 → rejected after three attempts. Alert 2: accepted at once.
  assert.equal(argusFake.server.requests.length - before, 4);
  assert.match(run.stderr(), /alert [0-9a-f]{32} \(3c2b1a00-0000-4000-8000-00000000aaaa\) rejected after 3 attempt\(s\): HTTP 400/);
  assert.match(run.stderr(), /1 delivered, 0 already there, 1 rejected, 0 failed/);
});

test('--to without the secret is refused up front', async () => {
  const run = start(['--file', join(work, 'batch.jsonl'), '--to', argusFake.server.url], { env: { ARGUS_DATA_DIR: join(work, 'no-data') } });
  assert.equal(await run.done, 1);
  assert.match(run.stderr(), /ARGUS_SECRET_MISSING: --to needs the alerts webhook secret: set ARGUS_SECRET_ALERTS_WEBHOOK_SECRET/);
});

test('--follow reads appended events, and starts over when the file is truncated', async () => {
  const file = join(work, 'follow.jsonl');
  writeFileSync(file, `${whoami(20)}\n`);
  const run = start(['--file', file, '--follow', '--max-events', '4']);
  await waitFor(() => run.stdout().includes('"eventIndex":0'), { what: 'the first alert', timeoutMs: 5_000, intervalMs: 20 });
  appendFileSync(file, `${notepad(21)}\n{"Channel": "Microsoft-Windows-Sysmon/Operational",`);
  appendFileSync(file, ` "EventID": 1, "Image": "C:\\\\x\\\\whoami.exe", "EventRecordID": 22}\n`);
  await waitFor(() => run.stdout().split('\n').filter(Boolean).length === 2, { what: 'the second alert', timeoutMs: 5_000, intervalMs: 20 });
  truncateSync(file, 0);
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(file, `${whoami(23)}\n`);
  assert.equal(await run.done, 0, run.stderr());
  const alerts = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as DetectionAlert);
  assert.deepEqual(
    alerts.map((a) => a.event.EventRecordID),
    [20, 22, 23],
  );
  assert.match(run.stderr(), /4 events, 3 matches/);
});

test('--listen tcp:// takes newline-delimited JSON from several connections', async () => {
  const run = start(['--listen', 'tcp://127.0.0.1:0', '--max-events', '3']);
  const [, port] = (await run.waitFor(/listening on tcp:\/\/127\.0\.0\.1:(\d+)/)) as [string, string];
  const send = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () => s.end(text, () => resolve()));
      s.on('error', reject);
    });
  await send(`${whoami(30)}\nnot json\n${notepad(31)}\n`);
  await send(whoami(32)); // the last line needs no newline
  assert.equal(await run.done, 1, 'an unusable line makes the exit status non-zero');
  const alerts = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as DetectionAlert);
  assert.deepEqual(alerts.map((a) => a.event.EventRecordID).sort(), [30, 32]);
  assert.match(alerts[0]?.source ?? '', /^tcp:\/\/127\.0\.0\.1:\d+$/);
  assert.match(run.stderr(), /tcp:\/\/127\.0\.0\.1:\d+ line 2 \(event 1\): /);
});

test('--listen udp:// takes datagrams of JSON lines', async () => {
  const run = start(['--listen', 'udp://127.0.0.1:0', '--max-events', '2']);
  const [, port] = (await run.waitFor(/listening on udp:\/\/127\.0\.0\.1:(\d+)/)) as [string, string];
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.send(`${whoami(40)}\n${notepad(41)}`, Number(port), '127.0.0.1', () => resolve()));
  socket.close();
  assert.equal(await run.done, 0);
  const alert = JSON.parse(run.stdout().trim()) as DetectionAlert;
  assert.equal(alert.event.EventRecordID, 40);
  assert.match(alert.source, /^udp:\/\/127\.0\.0\.1:\d+$/);
});

test('listening beyond loopback needs --allow-remote; bad options are explained', async () => {
  const remote = start(['--listen', 'tcp://0.0.0.0:0']);
  assert.equal(await remote.done, 1);
  assert.match(remote.stderr(), /refusing to listen on 0\.0\.0\.0 without --allow-remote/);
  const both = start(['--file', 'x', '--listen', 'tcp://127.0.0.1:0']);
  assert.equal(await both.done, 1);
  assert.match(both.stderr(), /exactly one of --file and --listen/);
  const scheme = start(['--listen', 'http://127.0.0.1:80']);
  assert.equal(await scheme.done, 1);
  assert.match(scheme.stderr(), /tcp:\/\/ or udp:\/\//);
});

test('long runs print progress lines with events/s and matches', async () => {
  const { engine } = loadEngine(rules, { cwd: work });
  async function* slowly() {
    for (let i = 0; i < 6; i++) {
      yield `${whoami(50 + i)}\n`;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const lines: string[] = [];
  const summary = await runIngest({ engine, input: { kind: 'stream', name: 'stdin', stream: slowly() }, signal: new AbortController().signal, progressIntervalMs: 40, report: (l) => lines.push(l) });
  assert.equal(summary.events, 6);
  assert.equal(summary.matches, 6);
  assert.ok(lines.length >= 1, 'at least one progress line');
  for (const line of lines) assert.match(line, /^argus ingest: \d+ events \(\d+ events\/s\), \d+ matches, 0 unusable$/);
});

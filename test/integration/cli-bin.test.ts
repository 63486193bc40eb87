import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tableNames, type TableStore } from '../../src/storage/table-store';
import { openSeededAuditStore } from '../helpers/seeded-audit';
import { startAzurite, type TestAzurite } from '../helpers/azurite';

// `argus` as users start it: npm's own bin lookup, and a symlink named `argus` (what npx, a global
// install and node_modules/.bin create), never `node …/argus.js`.
const repo = resolve(__dirname, '../..');

interface Run {
  code: number | string;
  stdout: string;
  stderr: string;
}

let azurite: TestAzurite;
let store: TableStore;
let dir: string;
let linked: string;
let env: Record<string, string>;

before(async () => {
  azurite = await startAzurite();
  dir = await mkdtemp(join(tmpdir(), 'argus-cli-bin-'));
  linked = join(dir, 'argus');
  await symlink(join(repo, 'bin/argus.js'), linked);
  const configPath = join(dir, 'argus.config.yaml');
  await writeFile(configPath, '');
  env = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    ARGUS_CONFIG: configPath,
    LOG_LEVEL: 'warn',
    npm_config_update_notifier: 'false',
    npm_config_cache: join(dir, 'npm-cache'),
    ...azurite.env,
  };
  store = await openSeededAuditStore(azurite.connectionString);
});
after(async () => {
  await store.close();
  await azurite.stop();
  await rm(dir, { recursive: true, force: true });
});

function run(file: string, args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(file, args, { env: { ...env, ...extraEnv }, cwd: repo, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : (err.signal ?? 'failed')) : 0;
      done({ code, stdout, stderr });
    });
  });
}

const launchers = {
  'npm exec argus': (args: string[], extraEnv?: Record<string, string>) => run('npm', ['exec', '--offline', 'argus', '--', ...args], extraEnv),
  'a symlink named argus': (args: string[], extraEnv?: Record<string, string>) => run(linked, args, extraEnv),
};

/** Both launchers at once (each start loads the whole CLI). */
async function both(args: string[], extraEnv?: Record<string, string>): Promise<Array<[string, Run]>> {
  return Promise.all(Object.entries(launchers).map(async ([name, launch]) => [name, await launch(args, extraEnv)] as [string, Run]));
}

describe('the installed argus command', () => {
  test("help prints the usage and exits 0, without restify's DEP0111 warning while other warnings still show", async () => {
    // Emitted once the CLI has loaded (its warning filter in place), through both emitWarning
    // signatures, and only in the `argus` process (NODE_OPTIONS reaches npm too).
    const probe = join(dir, 'warning-probe.js');
    await writeFile(
      probe,
      `if (require('node:path').basename(process.argv[1] || '') === 'argus') setImmediate(() => {
        process.emitWarning('probe deprecation', 'DeprecationWarning', 'DEP0999');
        process.emitWarning('probe warning', { code: 'ARGUS_PROBE' });
      });\n`,
    );
    for (const [name, r] of await both(['help'], { NODE_OPTIONS: `--require ${probe}` })) {
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, /^usage: argus <command>/, name);
      assert.match(r.stdout, /\n {2}audit +/, name);
      assert.doesNotMatch(r.stderr, /DEP0111/, name);
      assert.match(r.stderr, /\[DEP0999\] DeprecationWarning: probe deprecation/, name);
      assert.match(r.stderr, /\[ARGUS_PROBE\] Warning: probe warning/, name);
    }
  });

  test('audit verify exits non-zero on a tampered chain, naming the row', async () => {
    await store.client(tableNames.audit).updateEntity({ partitionKey: 'chain', rowKey: '000000000002', actorName: 'Someone Else' }, 'Merge');
    for (const [name, r] of await both(['audit', 'verify'])) {
      assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /audit chain BROKEN at seq 2 \(RowKey 000000000002\): changed/, name);
    }
  });

  test('serve under NODE_ENV=production without a bot identity refuses to start with a clear error', async () => {
    for (const [name, r] of await both(['serve'], { NODE_ENV: 'production' })) {
      assert.equal(r.code, 1, `${name}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /argus serve: ARGUS_CONFIG_INVALID: .*MICROSOFT_APP_ID: production refuses dev mode/, name);
    }
  });

  test('output piped into a reader that stops early (argus help | head -1) ends quietly, not with an EPIPE crash', async () => {
    const child = spawn(linked, ['help'], { env, cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Close our end at once, before the usage is written, as `head` does once it has its lines.
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.on('close', done));
    assert.equal(code, 0, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Unhandled 'error' event/);
  });
});
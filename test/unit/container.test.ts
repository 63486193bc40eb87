import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/** The Dockerfile builds a small, non-root image that has everything the service reads. */
const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const copied = [...dockerfile.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

test('multi-stage: dependencies are installed from the lock file without dev dependencies', () => {
  assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2);
  assert.match(dockerfile, /RUN npm ci --omit=dev/);
  assert.match(dockerfile, /COPY --from=deps .*node_modules/);
});

test('the service runs as a non-root user, with a health check on a route Argus serves', () => {
  const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
  assert.ok(users.length > 0 && !['root', '0'].includes(users.at(-1)!), `USER ${users.at(-1)}`);
  const health = /^HEALTHCHECK .*\n?.*\/(healthz|readyz)/m.exec(dockerfile);
  assert.ok(health, 'HEALTHCHECK probes /healthz or /readyz');
  assert.match(readFileSync(path.join(root, 'src/app/routes.ts'), 'utf8'), new RegExp(`path: '/${health[1]}'`));
  assert.match(dockerfile, /^CMD \["node", "bin\/argus\.js", "serve"\]/m);
});

test('every top-level folder the sources read is copied, and none of them is ignored', () => {
  const outside = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from '|(?:resolve|join)\(__dirname, ')((?:\.\.\/)+)([\w.-]+)/g)) {
      const target = path.resolve(path.dirname(file), m[1]!, m[2]!);
      const top = path.relative(root, target).split(path.sep)[0]!;
      if (top !== 'src' && !top.startsWith('..')) outside.add(top);
    }
  }
  for (const dir of ['playbooks', 'detections']) outside.add(dir); // config defaults (./playbooks) and rule folders
  assert.ok(outside.has('cards') && outside.has('manifest'), [...outside].join(', '));
  for (const dir of [...outside, 'src', 'bin', 'package.json']) {
    assert.ok(copied.includes(dir) || copied.includes(`${dir}/`), `${dir} is not copied into the image`);
    assert.ok(!ignored.includes(dir), `${dir} is excluded by .dockerignore`);
  }
});

test('.dockerignore keeps secrets, local data and dependencies out of the build context', () => {
  for (const entry of ['node_modules', '.git', '.argus-data', '.env', 'argus.config.yaml']) assert.ok(ignored.includes(entry), entry);
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

/** The Dockerfile builds a small, non-root image that runs the compiled service and has everything it reads. */
const root = path.resolve(__dirname, '../..');
const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const ignored = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = dockerfile.split(/^(?=FROM )/m).filter((s) => s.startsWith('FROM '));
const stageNamed = (name: string) => stages.find((s) => new RegExp(`^FROM \\S+ AS ${name}\\s`).test(s));
const runtime = stages.at(-1) ?? '';
/** What a stage copies from the build context (not from another stage). */
const copiedIn = (stage: string) => [...stage.matchAll(/^COPY (?!--from)(?:--\S+ )*(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
const copied = copiedIn(runtime);
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, any>;
const pkg = readJson('package.json');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(ts|js)$/.test(name) ? [full] : [];
  });
}

test('multi-stage: dependencies are installed from the lock file without dev dependencies', () => {
  assert.ok((dockerfile.match(/^FROM /gm) ?? []).length >= 2);
  assert.match(dockerfile, /RUN npm ci --omit=dev/);
  assert.match(runtime, /^COPY --from=deps .*node_modules/m);
});

test('a build stage installs every dependency and compiles dist/, which the runtime stage copies', () => {
  const build = stageNamed('build');
  assert.ok(build, 'a stage named build');
  assert.match(build, /^RUN npm ci(?! .*--omit)/m, 'the build stage installs the dev dependencies (TypeScript)');
  assert.match(build, /^RUN npm run build$/m);
  assert.match(pkg.scripts.build, /^tsc -b tsconfig\.build\.json$/);
  for (const needed of ['tsconfig.json', 'tsconfig.build.json', 'src']) assert.ok(copiedIn(build).includes(needed), `${needed} is not copied into the build stage`);
  assert.match(runtime, /^COPY --from=build (?:--\S+ )*\/app\/dist \.\/dist$/m);
});

test('the image runs without TypeScript: no tsx or typescript at run time, no sources in the runtime stage', () => {
  for (const name of ['tsx', 'typescript']) {
    assert.equal(pkg.dependencies[name], undefined, `${name} is a run-time dependency`);
    assert.ok(pkg.devDependencies[name], `${name} is not a dev dependency`);
  }
  const bin = readFileSync(path.join(root, pkg.bin.argus), 'utf8');
  assert.doesNotMatch(bin, /tsx|\.ts'/);
  assert.match(bin, /'dist', 'cli', 'main\.js'/);
  for (const file of sourceFiles(path.join(root, 'src'))) {
    assert.doesNotMatch(readFileSync(file, 'utf8'), /['"]tsx(?:\/\w+)?['"]/, `${path.relative(root, file)} loads tsx`);
  }
  for (const dir of ['src', 'tsconfig.json', 'tsconfig.build.json']) assert.ok(!copied.includes(dir), `${dir} is copied into the runtime stage`);
  assert.match(pkg.scripts.start, /^node --max-old-space-size=512 bin\/argus\.js serve$/);
});

test('dist/ mirrors src/ at the same depth, with the files the sources load beside themselves', () => {
  const base = readJson('tsconfig.json').compilerOptions;
  const build = readJson('tsconfig.build.json');
  const options = { ...base, ...build.compilerOptions };
  assert.equal(build.extends, './tsconfig.json');
  assert.equal(options.noEmit, false);
  assert.equal(options.module, 'commonjs');
  assert.equal(path.resolve(root, options.rootDir), path.join(root, 'src'));
  // `../../cards/x.json` from src/cards/ and from dist/cards/ name the same file.
  assert.equal(path.dirname(path.resolve(root, options.outDir)), root);
  assert.ok(options.resolveJsonModule, 'imported JSON (src/response/attack-enterprise.json) is emitted');
  for (const file of sourceFiles(path.join(root, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/(?:resolve|join)\(__dirname, '([\w.-]+\.js)'\)/g)) {
      const beside = path.join(path.dirname(file), m[1]!);
      assert.ok(statSync(beside, { throwIfNoEntry: false })?.isFile(), `${path.relative(root, beside)} is missing`);
      assert.ok(options.allowJs && build.include.includes('src/**/*.js'), `${path.relative(root, beside)} is not emitted into dist/`);
    }
  }
  assert.ok(readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n').includes('dist/'), 'dist/ is not ignored by git');
});

test('the service runs as a non-root user, with a health check on a route Argus serves', () => {
  const users = [...dockerfile.matchAll(/^USER (\S+)/gm)].map((m) => m[1]);
  assert.ok(users.length > 0 && !['root', '0'].includes(users.at(-1)!), `USER ${users.at(-1)}`);
  const health = /^HEALTHCHECK .*\n?.*\/(healthz|readyz)/m.exec(dockerfile);
  assert.ok(health, 'HEALTHCHECK probes /healthz or /readyz');
  assert.match(readFileSync(path.join(root, 'src/app/routes.ts'), 'utf8'), new RegExp(`path: '/${health[1]}'`));
  assert.match(dockerfile, /^CMD \["node", "bin\/argus\.js", "serve"\]/m);
  // The heap cap `npm start` has, overridable at run time.
  assert.match(dockerfile, /^ENV NODE_OPTIONS="--max-old-space-size=512"$/m);
});

test('every top-level folder the sources read is copied into the runtime stage, and none of them is ignored', () => {
  const outside = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from '|(?:resolve|join)\(__dirname, ')((?:\.\.\/)+)([\w.-]+)/g)) {
      const target = path.resolve(path.dirname(file), m[1]!, m[2]!);
      const top = path.relative(root, target).split(path.sep)[0]!;
      if (top !== 'src' && !top.startsWith('..')) outside.add(top);
    }
  }
  for (const dir of ['playbooks', 'detections', 'plans', 'queries']) outside.add(dir); // config defaults (./playbooks, ./plans, ./queries) and rule folders
  assert.ok(outside.has('cards') && outside.has('manifest'), [...outside].join(', '));
  for (const dir of [...outside, 'bin', 'package.json']) {
    assert.ok(copied.includes(dir) || copied.includes(`${dir}/`), `${dir} is not copied into the image`);
    assert.ok(!ignored.includes(dir), `${dir} is excluded by .dockerignore`);
  }
  for (const dir of ['src', 'scripts', 'tsconfig.build.json']) assert.ok(!ignored.includes(dir), `${dir} is excluded by .dockerignore`);
});

test('.dockerignore keeps secrets, local data and dependencies out of the build context', () => {
  // dist too: the image compiles its own, a local (perhaps stale) build never reaches it.
  for (const entry of ['node_modules', '.git', '.argus-data', '.env', 'argus.config.yaml', 'dist']) assert.ok(ignored.includes(entry), entry);
});

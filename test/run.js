#!/usr/bin/env node
// Runs every test file under test/ with Node's own test runner (Node 20 has no glob support in --test).
// Arguments filter by path substring: `node test/run.js core-flow unit/cards`.
'use strict';
const { readFileSync, readdirSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname);
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'bench') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = walk(root)
  .map((f) => relative(process.cwd(), f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Unit test files run together in one process (test/unit-suite.ts), started first, unless they
// have top-level hooks (in one process every file's top-level before/after would wrap all tests)
// or touch process.env; those, and every integration file, get a process of their own, two at a time.
const unitDir = join(relative(process.cwd(), root), 'unit') + '/';
const shareable = (f) => !/^(before|after|beforeEach|afterEach)\(|process\.env/m.test(readFileSync(f, 'utf8'));
const unit = files.filter((f) => f.startsWith(unitDir) && shareable(f));
const others = files.filter((f) => !unit.includes(f));
const entries = [...(unit.length > 0 ? [join(relative(process.cwd(), root), 'unit-suite.ts')] : []), ...others];
// Tests that start `argus` as users do (bin/argus.js) run the compiled dist/: bring it up to date
// first (incremental, well under a second when nothing changed), so no test runs stale code.
const build = spawnSync(process.execPath, [join(root, '..', 'scripts', 'prepare.js')], { stdio: 'inherit' });
if (build.status !== 0) console.error('test/run.js: building dist/ failed (above): tests that start bin/argus.js run what was emitted');
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...entries],
  { stdio: 'inherit', env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', ARGUS_TEST_FILES: unit.join('\n') } },
);
process.exit(result.status ?? 1);

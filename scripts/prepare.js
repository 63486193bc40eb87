#!/usr/bin/env node
// Compiles src/ into dist/ (`tsc -b tsconfig.build.json`: incremental, a fraction of a second when
// nothing changed). Run by `npm ci` / `npm install` (the `prepare` script), before `npm start`, and
// by test/run.js. TypeScript is a dev dependency: after `npm ci --omit=dev` nothing can be compiled,
// so an existing dist/ is kept as it is (the container image, a zip deploy) and a missing one is
// reported without failing the install.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');

function tscPath() {
  try {
    return require.resolve('typescript/bin/tsc', { paths: [root] });
  } catch {
    return undefined;
  }
}

const tsc = tscPath();
if (tsc) {
  const result = spawnSync(process.execPath, [tsc, '-b', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  console.warn(
    'argus: dist/ (the compiled service) is missing and cannot be built here: TypeScript, a dev dependency, ' +
      'is not installed (npm ci --omit=dev). Build it where dev dependencies are installed (`npm ci` builds dist/) ' +
      'and copy dist/ next to package.json.',
  );
}

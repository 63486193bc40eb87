#!/usr/bin/env node
'use strict';
// The `argus` command: the compiled service in dist/ (built by `npm ci`, or `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  console.error(`argus: the compiled service ${entry} is missing: run \`npm run build\` or \`npm ci\` (which builds it); both need the dev dependencies (TypeScript).`);
  process.exit(1);
}
require(entry).main();

#!/usr/bin/env node
'use strict';
// The `argus` command: TypeScript sources run through tsx's CommonJS loader.
require('tsx/cjs');
require('../src/cli/main.ts').main();

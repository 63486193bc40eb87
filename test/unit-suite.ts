/**
 * Runs many test files in one process (run.js passes their paths in ARGUS_TEST_FILES): the unit
 * tests need no process of their own, and starting one per file costs more than they take.
 */
import { resolve } from 'node:path';

for (const file of (process.env.ARGUS_TEST_FILES ?? '').split('\n').filter(Boolean)) require(resolve(file));

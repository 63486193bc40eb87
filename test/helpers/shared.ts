import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The shared directory beside this repository (../shared): test fixtures and the SigmaHQ cases
 * are read from it at run time, never copied in.
 */
export const sharedDir = resolve(__dirname, '../../../shared');

/** A path under ../shared/fixtures, e.g. fixturePath('sentinel', 'incident-rest-get.json'). */
export function fixturePath(...parts: string[]): string {
  return resolve(sharedDir, 'fixtures', ...parts);
}

/** A JSON fixture under ../shared/fixtures, parsed, e.g. fixture('sentinel/incident-rest-get.json'). */
export function fixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

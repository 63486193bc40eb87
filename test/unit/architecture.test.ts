import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const src = resolve(__dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : name.endsWith('.ts') ? [full] : [];
  });
}

/** `import … from '…'` statements that stay at run time (`import type` is erased). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
}

const domains = ['incidents', 'playbooks', 'ticketing', 'detections', 'response', 'triage', 'enrichment', 'queries'];

test('domains reach Teams and HTTP only through ports: no run-time import of src/teams or src/ingress', () => {
  const offenders: string[] = [];
  for (const domain of domains)
    for (const file of sources(join(src, domain)))
      for (const spec of runtimeImports(file)) {
        const target = relative(src, resolve(join(file, '..'), spec));
        if (spec.startsWith('.') && /^(teams|ingress)\//.test(target)) offenders.push(`${relative(src, file)} → ${target}`);
      }
  assert.deepEqual(offenders, []);
});

test('src/teams does not import src/ingress, nor the domains', () => {
  const offenders: string[] = [];
  for (const file of sources(join(src, 'teams')))
    for (const spec of [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!)) {
      const target = relative(src, resolve(join(file, '..'), spec));
      if (spec.startsWith('.') && /^(ingress|incidents|playbooks|ticketing|detections|response|triage|enrichment)\//.test(target)) offenders.push(`${relative(src, file)} → ${target}`);
    }
  assert.deepEqual(offenders, []);
});

test('no source file is longer than 300 lines', () => {
  const long = sources(src)
    .map((file) => ({ file: relative(src, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
    .filter((f) => f.lines > 300);
  assert.deepEqual(long, []);
});

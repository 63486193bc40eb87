#!/usr/bin/env node
// Builds src/response/attack-enterprise.json, the compact ATT&CK Enterprise table Argus names
// techniques and orders tactics with, from MITRE's STIX data. Run it once per ATT&CK release:
//   node scripts/generate-attack-table.mjs <STIX bundle .json | folder of STIX object files> <version> <source>
// Either input works: the enterprise bundle (enterprise-attack.json) or a folder holding the
// attack-pattern, x-mitre-tactic and x-mitre-matrix object files of the same release.
'use strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [input, version, source] = process.argv.slice(2);
if (!input || !version || !source) {
  console.error('usage: generate-attack-table.mjs <bundle.json|folder> <version> <source>');
  process.exit(2);
}

function* jsonFiles(path) {
  if (statSync(path).isFile()) return yield path;
  for (const name of readdirSync(path).sort()) yield* jsonFiles(join(path, name));
}
const objects = [];
for (const file of jsonFiles(input)) {
  if (!file.endsWith('.json')) continue;
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  objects.push(...(doc.type === 'bundle' ? doc.objects : [doc]));
}

const attackId = (o) => o.external_references?.find((r) => r.source_name === 'mitre-attack')?.external_id;
const matrices = objects.filter((o) => o.type === 'x-mitre-matrix' && !o.revoked);
if (matrices.length !== 1) throw new Error(`expected one enterprise matrix, found ${matrices.length}`);
const tacticsById = new Map(objects.filter((o) => o.type === 'x-mitre-tactic').map((o) => [o.id, o]));
const tactics = matrices[0].tactic_refs.map((ref) => {
  const t = tacticsById.get(ref);
  if (!t) throw new Error(`matrix names unknown tactic ${ref}`);
  return { id: attackId(t), shortName: t.x_mitre_shortname, name: t.name };
});

const techniques = {};
for (const o of objects) {
  if (o.type !== 'attack-pattern') continue;
  const id = attackId(o);
  if (!id) continue;
  const entry = {
    name: o.name,
    tactics: (o.kill_chain_phases ?? []).filter((p) => p.kill_chain_name === 'mitre-attack').map((p) => p.phase_name),
  };
  if (o.revoked) entry.status = 'revoked';
  else if (o.x_mitre_deprecated) entry.status = 'deprecated';
  // A revoked object can share its id with the technique that replaced it: the live one wins.
  if (techniques[id] && !techniques[id].status) continue;
  techniques[id] = entry;
}
const sorted = Object.fromEntries(Object.entries(techniques).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'response', 'attack-enterprise.json');
const table = {
  domain: 'enterprise-attack',
  version,
  source,
  licence: 'ATT&CK® data © The MITRE Corporation, reproduced under the ATT&CK Terms of Use (https://attack.mitre.org/resources/legal-and-branding/terms-of-use/).',
  tactics,
  techniques: sorted,
};
writeFileSync(out, JSON.stringify(table, null, 0).replace(/\],"T/g, '],\n"T').replace(/\},"T/g, '},\n"T') + '\n');
console.log(`${Object.keys(sorted).length} techniques, ${tactics.length} tactics → ${out}`);

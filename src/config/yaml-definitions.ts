import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ArgusError, type ErrorDetail } from '../errors/catalog';
import { zodDetails } from './load-config';

/**
 * Folders of YAML definitions (playbooks, response plans, queries): one file each, validated by a
 * zod schema at start, errors naming the file and the key.
 */

export function invalidDefinition(kind: string, file: string, details: ErrorDetail[]): ArgusError {
  const summary = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  return new ArgusError('ARGUS_CONFIG_INVALID', `${kind} ${file} is invalid: ${summary}`, {
    details: details.map((d) => ({ path: d.path ? `${file}: ${d.path}` : file, message: d.message })),
  });
}

/** Parses and validates one definition file's text. */
export function parseYamlDefinition<S extends z.ZodType>(kind: string, text: string, file: string, schema: S): z.output<S> {
  const doc = parseDocument(text, { prettyErrors: true });
  // The first YAML error is the one to fix; the rest usually follow from it.
  const yamlError = doc.errors[0];
  if (yamlError) throw invalidDefinition(kind, file, [{ message: yamlError.message.split('\n')[0] ?? yamlError.message }]);
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) throw invalidDefinition(kind, file, zodDetails(parsed.error));
  return parsed.data;
}

/** The `*.yaml` / `*.yml` files of `dir` in name order, or undefined when the folder is missing. */
export function readYamlFolder(dir: string): Array<{ file: string; text: string }> | undefined {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return undefined;
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/i.test(f))
    .sort()
    .map((name) => ({ file: basename(name), text: readFileSync(join(dir, name), 'utf8') }));
}

/** Refuses a second definition with the same id, naming both files. */
export function uniqueIds(kind: string): (id: string, file: string) => void {
  const seen = new Map<string, string>();
  return (id, file) => {
    const other = seen.get(id);
    if (other) throw invalidDefinition(kind, file, [{ path: 'id', message: `'${id}' is already defined in ${other}` }]);
    seen.set(id, file);
  };
}

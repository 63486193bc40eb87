/**
 * Imported first by the CLI entry, before anything loads restify.
 *
 * restify pulls in spdy → http-deceiver, which calls `process.binding('http_parser')` at load and
 * makes Node print DEP0111 twice on every `argus` start, burying the command's own output. Nothing
 * we can change calls it, and `--disable-warning` exists only from Node 21, so this one code is
 * dropped where Node emits it: `process.binding` warns through the public `process.emitWarning`.
 * Every other warning, deprecations included, still reaches stderr.
 */
const ignoredCode = 'DEP0111';

function warningCode(warning: unknown, typeOrOptions: unknown, code: unknown): unknown {
  if (typeof typeOrOptions === 'object' && typeOrOptions !== null && 'code' in typeOrOptions) return typeOrOptions.code;
  if (typeof code === 'string') return code;
  if (warning instanceof Error && 'code' in warning) return warning.code;
  return undefined;
}

const original = process.emitWarning;
// The flag keeps a second import (or a second copy of this module) from wrapping twice.
const marker = Symbol.for('argus.quiet-dep0111');
if (!(marker in original)) {
  const filtered = function emitWarning(this: unknown, ...args: unknown[]): void {
    if (warningCode(args[0], args[1], args[2]) === ignoredCode) return;
    (original as (...a: unknown[]) => void).apply(this, args);
  };
  Object.defineProperty(filtered, marker, { value: true });
  process.emitWarning = filtered as typeof process.emitWarning;
}

export {};

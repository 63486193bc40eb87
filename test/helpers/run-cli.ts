import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli/main';

/** What an `argus` command printed, and its exit code. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/**
 * Runs `argus <args>` in this process, as the installed command would (tests that need the real
 * binary start it: see cli-bin.test.ts): stdin empty, stdout and stderr collected.
 */
export async function runCliHere(args: string[], options: { env: Record<string, string | undefined>; cwd?: string }): Promise<CliRun> {
  let out = '';
  let err = '';
  const stdout = new PassThrough().on('data', (c: Buffer) => (out += c.toString()));
  const stderr = new PassThrough().on('data', (c: Buffer) => (err += c.toString()));
  const code = await runCli(args, { stdout, stderr, stdin: Readable.from(['']), env: options.env, cwd: options.cwd ?? process.cwd() });
  return { code, out, err };
}

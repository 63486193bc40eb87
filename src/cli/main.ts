// First: silences restify's DEP0111 before any import below loads restify.
import './quiet-dep0111';
import { isArgusError } from '../errors/catalog';
import { processIO, writeLine, type CliIO } from './command';
import { allCommands, loadCommand } from './commands';

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    writeLine(io.stdout, 'usage: argus <command> [options]\n');
    for (const c of await allCommands()) writeLine(io.stdout, `  ${c.name.padEnd(14)} ${c.summary}`);
    return name ? 0 : 2;
  }
  const command = await loadCommand(name);
  if (!command) {
    writeLine(io.stderr, `argus: unknown command '${name}'. Run 'argus help'.`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (isArgusError(err)) {
      writeLine(io.stderr, `argus ${name}: ${err.code}: ${err.message}`);
      for (const d of err.details) writeLine(io.stderr, `  - ${d.path ? `${d.path}: ` : ''}${d.message}`);
    } else {
      writeLine(io.stderr, `argus ${name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }
    return 1;
  }
}

/**
 * The process entry: `bin/argus.js` calls it whatever name or symlink `argus` was started through
 * (npx, a global install, node_modules/.bin), so it must not guess from `process.argv[1]`.
 */
export function main(): void {
  // `argus … | head` closes the pipe early: that ends the output, not the command with a crash.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
  runCli(process.argv.slice(2), processIO()).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

// `node --import tsx src/cli/main.ts …` (the package.json scripts) runs this file directly.
if (require.main === module) main();

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { roles, type Role } from '../access/roles';
import { ArgusError } from '../errors/catalog';
import { createLogger } from '../logging/logger';
import { writeLine, type CliCommand, type CliIO } from './command';
import { mockCurrentUser } from './playground/mock-tenant';
import { startPlaygroundSession, type PlaygroundSession } from './playground/playground-session';

export interface PlaygroundArgs {
  role: Role;
  playgroundPort?: number;
  argusPort?: number;
}

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ArgusError('ARGUS_BAD_REQUEST', `--${name} must be a port number`);
  return n;
}

export function parsePlaygroundArgs(args: string[], usage: string, accepts: { role: boolean } = { role: true }): PlaygroundArgs {
  let values: { role?: string; port?: string; 'argus-port'?: string };
  const text = { type: 'string' } as const;
  const options: ParseArgsConfig['options'] = accepts.role ? { port: text, 'argus-port': text, role: text } : { port: text, 'argus-port': text };
  try {
    ({ values } = parseArgs({ args, options }) as { values: typeof values });
  } catch (err) {
    throw new ArgusError('ARGUS_BAD_REQUEST', `${(err as Error).message}; usage: ${usage}`);
  }
  const role = (values.role ?? 'admin') as Role;
  if (!roles.includes(role)) throw new ArgusError('ARGUS_BAD_REQUEST', `--role must be one of ${roles.join(', ')}`);
  return { role, playgroundPort: port(values.port, 'port'), argusPort: port(values['argus-port'], 'argus-port') };
}

/** Starts Argus + the playground with logs at LOG_LEVEL (default error, so the banner stays readable). */
export async function startForCli(args: PlaygroundArgs, io: CliIO): Promise<PlaygroundSession> {
  const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'error' });
  return startPlaygroundSession({ env: io.env, cwd: io.cwd, logger, role: args.role, playgroundPort: args.playgroundPort, argusPort: args.argusPort });
}

export function printBanner(session: PlaygroundSession, role: Role, io: CliIO): void {
  const line = '─'.repeat(76);
  const dataDir = session.dataDir ? `ARGUS_DATA_DIR=${session.dataDir} ` : '';
  writeLine(io.stdout, line);
  writeLine(io.stdout, `  Local Teams is ready: open ${session.playground.url}`);
  writeLine(io.stdout, `  You are ${mockCurrentUser.name} (${role} in Argus). Argus runs in DEV MODE at ${session.argus.url}:`);
  writeLine(io.stdout, '  no Bot Framework authentication, loopback only, storage cleared at each start.');
  writeLine(io.stdout, '  In the SOC team\'s General channel, type @Arg, pick Argus, add "subscribe" and Post.');
  writeLine(io.stdout, '  Then send a sample incident from another terminal:');
  writeLine(io.stdout, `    ${dataDir}npm run argus -- send-sample sentinel --url ${session.argus.url}`);
  writeLine(io.stdout, '  Ctrl+C stops both. Guide: docs/local-teams.md');
  writeLine(io.stdout, line);
}

/** Runs until SIGINT/SIGTERM, then stops the playground and Argus. */
export async function runUntilSignal(session: PlaygroundSession, io: CliIO): Promise<number> {
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  writeLine(io.stdout, 'stopping the playground and Argus…');
  await session.stop();
  return 0;
}

const usage = 'argus playground [--role admin|responder|reader] [--port 56150] [--argus-port 3978]';

/** `argus playground`: Argus on embedded storage + the Microsoft 365 Agents Playground as local Teams. */
export const playgroundCommand: CliCommand = {
  name: 'playground',
  summary: 'Chat with Argus in a local Teams (Microsoft 365 Agents Playground), no Azure needed',
  usage,
  async run(args, io) {
    const parsed = parsePlaygroundArgs(args, usage);
    const session = await startForCli(parsed, io);
    printBanner(session, parsed.role, io);
    return runUntilSignal(session, io);
  },
};

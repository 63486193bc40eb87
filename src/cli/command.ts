/** One `argus <name>` command. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

export function writeLine(stream: NodeJS.WritableStream, line = ''): void {
  stream.write(`${line}\n`);
}

type Subcommand = (args: string[], io: CliIO) => Promise<number>;

/** `argus <name> <sub> …`: runs the named subcommand; anything else prints the usage and exits 2. */
export function withSubcommands(command: Omit<CliCommand, 'run'>, subcommands: Record<string, Subcommand>): CliCommand {
  return {
    ...command,
    async run(args, io) {
      const [sub, ...rest] = args;
      const run = sub !== undefined && Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined;
      if (run) return run(rest, io);
      writeLine(io.stderr, `usage: ${command.usage}`);
      return 2;
    },
  };
}

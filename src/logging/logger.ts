import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Paths pino blanks out wherever they appear: secrets never reach a log line. */
export const redactPaths = [
  'password',
  'secret',
  'token',
  'accessToken',
  'clientSecret',
  'authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.clientSecret',
  '*.authorization',
  'headers.authorization',
  'headers["x-argus-signature"]',
  'headers["x-hub-signature"]',
  'req.headers.authorization',
  'req.headers["x-argus-signature"]',
  'req.headers["x-hub-signature"]',
  'config.headers.Authorization',
  'err.config.headers.Authorization',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; tests pass a stream that collects them. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'argus',
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

/** A stream that keeps every log line as parsed JSON: tests read real pino output from it. */
export function createMemoryLogStream(): DestinationStream & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    write(chunk: string) {
      for (const part of chunk.split('\n')) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
    },
  };
}

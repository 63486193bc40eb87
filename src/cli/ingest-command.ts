import { createWriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDevSecrets } from '../config/dev-secrets';
import { loadConfig } from '../config/load-config';
import { envNameForSecret, secretNames } from '../config/secret-provider';
import { createEnvSecretProvider } from '../config/secrets-env';
import { AlertWebhookSender } from '../detections/ingest/alert-webhook';
import { runIngest, type IngestInput } from '../detections/ingest/run-ingest';
import { isLoopbackHost, parseListenUrl } from '../detections/ingest/socket-listener';
import { describeFailure } from '../detections/rule-errors';
import { loadEngine } from '../detections/rule-loader';
import { ArgusError } from '../errors/catalog';
import { writeLine, type CliCommand, type CliIO } from './command';

const usage = `argus ingest (--file FILE|- [--follow] | --listen tcp://HOST:PORT | --listen udp://HOST:PORT)
       [--rules PATH] [--logsources FILE] [--to URL] [--out FILE|-] [--max-events N] [--progress SECONDS] [--allow-remote]`;

function bad(message: string): ArgusError {
  return new ArgusError('ARGUS_BAD_REQUEST', `${message}\nusage: ${usage}`);
}

/** The alerts webhook secret: ARGUS_SECRET_ALERTS_WEBHOOK_SECRET, else (dev mode) the generated dev secret. */
async function webhookSecret(io: CliIO): Promise<string> {
  const fromEnv = await createEnvSecretProvider(io.env).get(secretNames.alertsWebhook);
  if (fromEnv) return fromEnv;
  try {
    const config = loadConfig(io.env, { cwd: io.cwd });
    if (config.storage.kind === 'embedded') {
      const dev = loadDevSecrets(config.storage.dataDir, false)[secretNames.alertsWebhook];
      if (dev) return dev;
    }
  } catch {
    // No usable config: only the environment can provide the secret.
  }
  throw new ArgusError('ARGUS_SECRET_MISSING', `--to needs the alerts webhook secret: set ${envNameForSecret(secretNames.alertsWebhook)}`);
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        file: { type: 'string' },
        follow: { type: 'boolean' },
        listen: { type: 'string' },
        rules: { type: 'string' },
        logsources: { type: 'string' },
        to: { type: 'string' },
        out: { type: 'string' },
        'max-events': { type: 'string' },
        progress: { type: 'string' },
        'allow-remote': { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw bad(err instanceof Error ? err.message : String(err));
  }
}

function positiveInt(text: string | undefined, name: string, allowZero = false): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || (!allowZero && Number(text) === 0)) throw bad(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} whole number`);
  return Number(text);
}

/** `argus ingest`: thin log ingestion that evaluates detections and hands alerts on. */
export const ingestCommand: CliCommand = {
  name: 'ingest',
  summary: 'Evaluate detection rules over a file, followed file or socket, and send alerts to Argus',
  usage,
  async run(args, io) {
    const v = parse(args);
    if (!v.file === !v.listen) throw bad('give exactly one of --file and --listen');
    if (v.follow && (!v.file || v.file === '-')) throw bad('--follow goes with --file FILE');
    let input: IngestInput;
    if (v.listen) {
      let target;
      try {
        target = parseListenUrl(v.listen);
      } catch (err) {
        throw bad(err instanceof Error ? err.message : String(err));
      }
      // The listener takes unauthenticated input: only loopback unless asked for explicitly.
      if (!isLoopbackHost(target.host) && !v['allow-remote']) throw bad(`refusing to listen on ${target.host} without --allow-remote (the socket has no authentication)`);
      input = { kind: 'listen', target };
    } else if (v.file === '-') {
      input = { kind: 'stream', name: 'stdin', stream: io.stdin as AsyncIterable<string | Buffer> };
    } else {
      input = { kind: 'file', path: resolve(io.cwd, v.file as string), follow: v.follow ?? false };
    }
    const maxEvents = positiveInt(v['max-events'], '--max-events');
    const progressSeconds = positiveInt(v.progress, '--progress', true) ?? 10;

    const { engine, loaded } = loadEngine(v.rules ?? 'detections', { cwd: io.cwd, logsourcesFile: v.logsources });
    for (const f of loaded.failures) writeLine(io.stderr, `argus ingest: skipped ${describeFailure(f)}`);
    for (const w of engine.warnings) writeLine(io.stderr, `argus ingest: warning: ${w}`);

    // First Ctrl-C: stop reading and let deliveries in progress finish; second: give up on them too.
    const stop = new AbortController();
    const abandon = new AbortController();
    let webhook: AlertWebhookSender | undefined;
    try {
      webhook = v.to ? new AlertWebhookSender({ url: v.to, secret: await webhookSecret(io), signal: abandon.signal }) : undefined;
    } catch (err) {
      if (err instanceof ArgusError) throw err;
      throw bad(err instanceof Error ? err.message : String(err));
    }
    const out = v.out ?? (webhook ? undefined : '-');
    const output = out === undefined ? undefined : out === '-' ? io.stdout : createWriteStream(resolve(io.cwd, out), { flags: 'a' });

    const onSignal = (): void => {
      if (stop.signal.aborted) return abandon.abort();
      stop.abort();
      if (webhook) writeLine(io.stderr, 'argus ingest: stopping; finishing deliveries in progress (interrupt again to abandon them)');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const summary = await runIngest({
        engine,
        input,
        output,
        webhook,
        signal: stop.signal,
        maxEvents,
        progressIntervalMs: progressSeconds * 1000,
        report: (line) => writeLine(io.stderr, line),
        onListening: (url) => writeLine(io.stderr, `argus ingest: listening on ${url} (${engine.rules.length} rules)`),
      });
      const delivery = webhook
        ? `; to ${webhook.endpoint}: ${summary.delivered} delivered, ${summary.duplicates} already there, ${summary.rejected} rejected, ${summary.failed} failed`
        : '';
      writeLine(
        io.stderr,
        `argus ingest: ${summary.events} events, ${summary.matches} matches, ${summary.errors} unusable in ${summary.seconds.toFixed(1)} s${delivery}`,
      );
      return summary.errors + summary.rejected + summary.failed > 0 ? 1 : 0;
    } catch (err) {
      if (err instanceof ArgusError) throw err;
      throw new ArgusError('ARGUS_BAD_REQUEST', `cannot read events: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      if (output && output !== io.stdout) await new Promise<void>((done) => (output as NodeJS.WritableStream).end(done));
    }
  },
};

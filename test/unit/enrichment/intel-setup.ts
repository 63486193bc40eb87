import type { TestContext } from 'node:test';
import type { SecretProvider } from '../../../src/config/secret-provider';
import { createAbuseIpdbSource } from '../../../src/enrichment/abuseipdb';
import { createSendPolicy } from '../../../src/enrichment/send-policy';
import { createVirusTotalSource } from '../../../src/enrichment/virustotal';
import { createLogger, createMemoryLogStream } from '../../../src/logging/logger';
import { startFakeAbuseIpdb, type FakeAbuseIpdb } from '../../helpers/fake-abuseipdb';
import { startFakeVirusTotal, type FakeVirusTotal } from '../../helpers/fake-virustotal';

/** Secrets from a plain map (a name not in it does not exist). */
export function staticSecrets(values: Record<string, string>): SecretProvider {
  return {
    get: async (name) => values[name],
    require: async (name) => values[name] ?? Promise.reject(new Error(`no ${name}`)),
    invalidate: () => {},
    ping: async () => {},
  };
}

/** Retries without real waiting, unless the peer sends Retry-After. */
export const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 4, maxRetryAfterMs: 5_000 };

export const fixedNow = new Date('2026-03-02T10:00:00.000Z');

export interface SourceSetup {
  neverSend?: string[];
  /** The key the source is given; default the fake's own, `null` for none. */
  apiKey?: string | null;
}

/** The fake, the adapter on it (with a log that keeps its lines) and the log lines. */
export async function virusTotalOnFake(t: TestContext, setup: SourceSetup = {}) {
  const fake: FakeVirusTotal = await startFakeVirusTotal();
  t.after(() => fake.close());
  const logs = createMemoryLogStream();
  const apiKey = setup.apiKey === undefined ? fake.apiKey : setup.apiKey;
  const source = createVirusTotalSource({
    apiUrl: fake.apiUrl,
    secrets: staticSecrets(apiKey === null ? {} : { 'virustotal-api-key': apiKey }),
    sendPolicy: createSendPolicy(setup.neverSend),
    now: () => fixedNow,
    http: { retry: fastRetry, log: createLogger({ level: 'debug', destination: logs }) },
  });
  return { fake, source, logs: logs.lines };
}

export async function abuseIpdbOnFake(t: TestContext, setup: SourceSetup & { now?: () => number } = {}) {
  const fake: FakeAbuseIpdb = await startFakeAbuseIpdb({ now: setup.now });
  t.after(() => fake.close());
  const apiKey = setup.apiKey === undefined ? fake.apiKey : setup.apiKey;
  const source = createAbuseIpdbSource({
    apiUrl: fake.apiUrl,
    maxAgeInDays: 90,
    secrets: staticSecrets(apiKey === null ? {} : { 'abuseipdb-api-key': apiKey }),
    sendPolicy: createSendPolicy(setup.neverSend),
    now: setup.now ? () => new Date(setup.now!()) : () => fixedNow,
    http: { retry: fastRetry },
  });
  return { fake, source };
}

/**
 * Child process for Key Vault tests: `node --import tsx key-vault-client.ts '<json plan>'`.
 * Started with NODE_EXTRA_CA_CERTS (the fake vault's certificate; Node reads it only at start-up)
 * and IDENTITY_ENDPOINT/IDENTITY_HEADER (the fake managed identity), it runs the real
 * createKeyVaultSecretProvider with a real DefaultAzureCredential, performs the planned steps and
 * prints one JSON line: each step's outcome and every log line the provider wrote.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { createKeyVaultSecretProvider, type KeyVaultSecretProviderOptions } from '../../src/config/secrets-key-vault';
import { isArgusError } from '../../src/errors/catalog';
import { createLogger, createMemoryLogStream } from '../../src/logging/logger';
import { resolveLocalhostNamesToLoopback } from './loopback-dns';

export interface KeyVaultClientPlan {
  providers: Record<string, Pick<KeyVaultSecretProviderOptions, 'vaultUrl' | 'timeoutMs' | 'pingTimeoutMs' | 'retry'>>;
  steps: Array<{ provider: string; op: 'get' | 'require' | 'getAll' | 'ping' | 'invalidate'; name?: string }>;
}

export type StepOutcome = { ok: true; value?: unknown } | { ok: false; code?: string; message: string };

export interface KeyVaultClientReport {
  outcomes: StepOutcome[];
  logs: Record<string, unknown>[];
}

resolveLocalhostNamesToLoopback();

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '{}') as KeyVaultClientPlan;
  const stream = createMemoryLogStream();
  const logger = createLogger({ level: 'trace', destination: stream });
  const credential = new DefaultAzureCredential();
  const providers = new Map(
    Object.entries(plan.providers).map(([key, options]) => [key, createKeyVaultSecretProvider({ ...options, credential, logger })]),
  );
  const outcomes: StepOutcome[] = [];
  for (const step of plan.steps) {
    const provider = providers.get(step.provider);
    if (!provider) throw new Error(`unknown provider ${step.provider}`);
    const name = step.name ?? '';
    try {
      if (step.op === 'get') outcomes.push({ ok: true, value: await provider.get(name) });
      else if (step.op === 'require') outcomes.push({ ok: true, value: await provider.require(name) });
      else if (step.op === 'getAll') outcomes.push({ ok: true, value: await provider.getAll(name) });
      else if (step.op === 'ping') outcomes.push({ ok: true, value: await provider.ping() });
      else outcomes.push({ ok: true, value: provider.invalidate(step.name) });
    } catch (err) {
      outcomes.push({ ok: false, code: isArgusError(err) ? err.code : undefined, message: err instanceof Error ? err.message : String(err) });
    }
  }
  const report: KeyVaultClientReport = { outcomes, logs: stream.lines };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

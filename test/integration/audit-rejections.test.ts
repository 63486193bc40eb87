import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { rejectionSummaryAction } from '../../src/audit/rejection-audit';
import { loadConfig } from '../../src/config/load-config';
import { signatureHeader } from '../../src/security/signature';
import { createLogger } from '../../src/logging/logger';
import { startArgus, type RunningArgus } from '../../src/main';
import { tableNames } from '../../src/storage/table-store';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { waitFor } from '../helpers/wait-for';

let azurite: TestAzurite;
let argus: RunningArgus;
// The clock of the rejection audit: the test closes a minute by moving it, not by waiting.
let now = Date.UTC(2025, 5, 1, 12, 0, 10);

before(async () => {
  azurite = await startAzurite();
  const env = { ...azurite.env, ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: 'rejections-test-secret' };
  const config = loadConfig(env, { fileText: 'tenantId: aaaaaaaa-0000-4000-8000-000000000001\n' });
  argus = await startArgus(config, {
    env,
    logger: createLogger({ level: 'silent' }),
    port: 0,
    rejectionAudit: { now: () => now, sweepIntervalMs: 20 },
  });
});
after(async () => {
  await argus.stop();
  await azurite.stop();
});

async function auditRows(): Promise<Array<Record<string, unknown>>> {
  const table = TableClient.fromConnectionString(azurite.connectionString, tableNames.audit, { allowInsecureConnection: true });
  const rows: Array<Record<string, unknown>> = [];
  for await (const e of table.listEntities<Record<string, unknown>>()) if (e.rowKey !== 'head') rows.push(e);
  return rows;
}

test('50 unsigned webhooks: 20 rejected rows, then one summary row counting 30 when the minute closes; /metrics counts 50', async () => {
  const body = JSON.stringify({ object: { properties: { title: 'x' } } });
  for (let i = 0; i < 50; i += 1) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (i % 5 === 4) headers[signatureHeader] = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
    const res = await fetch(`${argus.url}/api/webhooks/sentinel`, { method: 'POST', body, headers });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ARGUS_BAD_SIGNATURE');
  }

  const rejected = (await auditRows()).filter((r) => r.action === 'webhook.received' && r.outcome === 'rejected');
  assert.equal(rejected.length, 20, 'only the first 20 of the minute get their own row');
  assert.equal(JSON.parse(String(rejected[0]?.detail)).caller, '127.0.0.1');
  assert.equal((await auditRows()).filter((r) => r.action === rejectionSummaryAction).length, 0, 'no summary while the minute lasts');

  now += 60_000;
  const summary = await waitFor(async () => (await auditRows()).find((r) => r.action === rejectionSummaryAction), { what: 'the summary row', timeoutMs: 5_000 });
  assert.equal(summary.outcome, 'rejected');
  assert.equal(summary.target, 'sentinel');
  const detail = JSON.parse(String(summary.detail)) as Record<string, unknown>;
  assert.equal(detail.count, 30);
  assert.equal(detail.auditedRows, 20);
  assert.equal(detail.route, '/api/webhooks/sentinel');
  assert.equal(detail.caller, '127.0.0.1');
  assert.deepEqual(detail.reasons, { 'signature-missing': 24, 'signature-mismatch': 6 });
  assert.equal(detail.from, '2025-06-01T12:00:00.000Z');
  assert.equal(detail.to, '2025-06-01T12:01:00.000Z');

  const metrics = await (await fetch(`${argus.url}/metrics`)).text();
  const count = (reason: string) =>
    Number(new RegExp(`^argus_webhook_rejected_total\\{reason="${reason}",route="/api/webhooks/sentinel"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
  assert.equal(count('signature-missing') + count('signature-mismatch'), 50, metrics);
  assert.equal(count('signature-mismatch'), 10);
});

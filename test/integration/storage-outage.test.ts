import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config/load-config';
import { signBody, signatureHeader } from '../../src/security/signature';
import { createLogger } from '../../src/logging/logger';
import { startArgus, type RunningArgus } from '../../src/main';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../../src/storage/embedded-azurite';
import { freePort } from '../helpers/argus-process';
import { startFakeBotConnector, testUser, type FakeBotConnector } from '../helpers/fake-bot-connector';
import { stormIncident } from '../helpers/storm';
import { installActivity } from '../helpers/teams-activities';
import { waitFor } from '../helpers/wait-for';

const secret = 'outage-secret';
const home = 'aaaaaaaa-0000-4000-8000-000000000001';
const channel = '19:outage@thread.tacv2';
const silent = createLogger({ level: 'silent' });
let dir: string;
let ports: { table: number; queue: number };
let azurite: EmbeddedAzurite;
let connector: FakeBotConnector;
let argus: RunningArgus;

const startStorage = () => startEmbeddedAzurite({ dataDir: join(dir, 'azurite'), tablePort: ports.table, queuePort: ports.queue, logger: silent });

async function post(index: number): Promise<{ status: number; code?: string }> {
  const incident = stormIncident(index, 0);
  incident.properties.title = `Outage incident ${index}`;
  incident.properties.labels = [{ labelName: 'outage', labelType: 'User' }];
  const body = JSON.stringify(incident);
  const res = await fetch(`${argus.url}/api/webhooks/sentinel`, { method: 'POST', body, headers: { 'content-type': 'application/json', [signatureHeader]: signBody(secret, body) } });
  const json = (await res.json()) as { error?: { code?: string } };
  return { status: res.status, code: json.error?.code };
}

const posted = (index: number) => connector.calls.filter((c) => c.kind === 'send' && new RegExp(`Outage incident ${index}\\b`).test(JSON.stringify(c.activity))).length;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'argus-outage-'));
  ports = { table: freePort(), queue: freePort() };
  azurite = await startStorage();
  connector = await startFakeBotConnector();
  const env = { ARGUS_STORAGE_CONNECTION_STRING: azurite.connectionString, ARGUS_SECRET_SENTINEL_WEBHOOK_SECRET: secret };
  const config = loadConfig(env, { fileText: `tenantId: ${home}\nrouting:\n  rules:\n    - { match: { labels: [outage] }, conversationId: "${channel}" }\n` });
  argus = await startArgus(config, { env, logger: silent, port: 0, intake: { maxPollIntervalMs: 100 }, cardDelivery: { pollIntervalMs: 50 } });
  const spot = { serviceUrl: connector.url, conversationId: channel, teamId: channel, tenantId: home };
  await fetch(`${argus.url}/api/messages`, { method: 'POST', body: JSON.stringify(installActivity(spot, testUser('A', '10000000-0000-4000-8000-000000000001', home))), headers: { 'content-type': 'application/json' } });
});

after(async () => {
  await argus.stop();
  await azurite.stop();
  await connector.close();
  rmSync(dir, { recursive: true, force: true });
});

test('storage down: webhooks get 503 (never a 202 for what is not stored), /readyz says so, and work resumes when it is back', async () => {
  assert.equal((await post(1)).status, 202);
  await argus.idle();
  assert.equal(posted(1), 1);

  await azurite.stop();
  const down = await post(2);
  assert.equal(down.status, 503);
  assert.equal(down.code, 'ARGUS_STORAGE_UNAVAILABLE');
  const ready = await fetch(`${argus.url}/readyz`);
  assert.equal(ready.status, 503);
  assert.ok(((await ready.json()) as { failing: string[] }).failing.includes('storage'));

  azurite = await startStorage();
  await waitFor(async () => (await fetch(`${argus.url}/readyz`)).ok, { what: 'ready again', timeoutMs: 10_000, intervalMs: 200 });
  assert.equal((await post(2)).status, 202, 'the sender retries and is accepted');
  assert.equal((await post(3)).status, 202);
  await argus.idle();
  assert.deepEqual([posted(1), posted(2), posted(3)], [1, 1, 1], 'everything accepted before and after is processed, each card once');
});

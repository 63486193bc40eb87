import assert from 'node:assert/strict';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { tableNames } from '../../src/storage/table-store';
import { encodeKey } from '../../src/storage/keys';
import { countEntities, sentinelFixture, startHarness, type Harness } from '../helpers/argus-harness';
import { startFakeBotConnector, type FakeBotConnector } from '../helpers/fake-bot-connector';
import { startFakeBotFramework, type FakeBotFramework } from '../helpers/fake-bot-framework';
import { hasTokenFor, startFakeManagedIdentity, type FakeManagedIdentity } from '../helpers/fake-managed-identity';
import { messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, partner, testPeople } from '../helpers/test-people';
import { waitFor } from '../helpers/wait-for';

// Bot Framework authentication on (an app id), the channel's keys served locally; outbound calls
// get their token from an emulated App Service managed identity (MICROSOFT_APP_TYPE=UserAssignedMSI).
const appId = '4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const people = testPeople('40000000');
const { admin } = people;
const legacyChannel = '19:legacy@thread.tacv2';

let h: Harness;
let bf: FakeBotFramework;
let identity: FakeManagedIdentity;
/** A Bot Connector on a host that is not allow-listed (only 127.0.0.1 is). */
let foreign: FakeBotConnector;
let foreignUrl: string;
const savedEnv = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

function spot(name: string, serviceUrl = h.connector.url): ChannelSpot {
  return { serviceUrl, conversationId: `19:${name}@thread.tacv2`, teamId: `19:${name}@thread.tacv2`, tenantId: home };
}

function send(activity: unknown, token?: string) {
  return h.post('/api/messages', JSON.stringify(activity), token ? { authorization: `Bearer ${token}` } : {});
}

async function stored(conversationId: string): Promise<boolean> {
  return (await countEntities(h.table(tableNames.conversations), `RowKey eq '${encodeKey(conversationId)}'`)) === 1;
}

/** Sends the headers of a POST announcing a body within the limit, and no body: only a check on the headers can answer. */
function headersOnly(headers: Record<string, string>): Promise<{ status: number; json: { error?: { code?: string } }; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(32 * 1024), ...headers } });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer within 2 s: the server waited for the body'));
    }, 2_000);
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as { error?: { code?: string } }, connection: res.headers.connection });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.flushHeaders();
  });
}

describe('POST /api/messages with Bot Framework authentication on', () => {
  before(async () => {
    identity = await startFakeManagedIdentity();
    Object.assign(process.env, identity.env);
    bf = await startFakeBotFramework();
    foreign = await startFakeBotConnector();
    foreignUrl = `http://localhost:${foreign.port}`;
    h = await startHarness({
      env: { MICROSOFT_APP_ID: appId, MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: home },
      configYaml: `tenantId: ${home}
${accessYaml(people, 'responder')}
routing: { default: "${legacyChannel}" }
teams: { serviceUrlHosts: [127.0.0.1], openIdMetadataUrl: "${bf.openIdMetadataUrl}", maxBodyBytes: 65536 }
`,
    });
  });
  after(async () => {
    await h.stop();
    await Promise.all([bf.close(), identity.close(), foreign.close()]);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test('a request without a Bearer token, or with one that is not a Teams token, is refused (401) before its body is read', async () => {
    for (const headers of [{}, { authorization: 'Basic YWxhZGRpbjpvcGVuc2VzYW1l' }, { authorization: 'Bearer not-a-token' }] as Array<Record<string, string>>) {
      const res = await headersOnly(headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.json.error?.code, 'ARGUS_UNAUTHENTICATED');
      assert.equal(res.connection, 'close', 'the unread body is not drained');
    }
  });

  test('a Teams token for this bot: the conversation of a user with a role is stored and the reply reaches the Bot Connector', async () => {
    const where = spot('soc');
    const before = h.connector.calls.length;
    const res = await send(messageActivity(where, admin, 'whoami'), await bf.channelToken({ aud: appId, serviceurl: where.serviceUrl }));
    assert.equal(res.status, 200, res.text);
    assert.equal(await stored(where.conversationId), true);
    const reply = await h.connector.waitFor((c) => h.connector.calls.indexOf(c) >= before);
    assert.match(JSON.stringify(reply.activity), /admin/);
    assert.ok(hasTokenFor(h.connector.requests.at(-1)?.headers.authorization, 'https://api.botframework.com'), 'the reply carries the bot token');
  });

  test('an Entra token issued to the bot app id (botbuilder treats its issuer as the Emulator) is refused: nothing stored, nothing sent', async () => {
    const where = spot('emulator');
    const before = h.connector.calls.length;
    // Any Entra tenant's token for any resource, as long as it was issued to the bot's app id.
    for (const aud of ['https://graph.microsoft.com', appId]) {
      const token = await bf.entraToken({ appid: appId, aud, tid: partner });
      const res = await send(messageActivity(where, admin, 'subscribe'), token);
      assert.equal(res.status, 401, res.text);
      assert.equal(res.json.error.code, 'ARGUS_UNAUTHENTICATED');
    }
    assert.equal(await stored(where.conversationId), false);
    assert.equal(h.connector.calls.length, before);
  });

  test('a channel token for another bot (wrong audience) is refused: nothing stored, nothing sent', async () => {
    const where = spot('audience');
    const before = h.connector.calls.length;
    const res = await send(messageActivity(where, admin, 'subscribe'), await bf.channelToken({ aud: '9e8d7c6b-0000-4000-8000-000000000001', serviceurl: where.serviceUrl }));
    assert.equal(res.status, 401);
    assert.equal(await stored(where.conversationId), false);
    assert.equal(h.connector.calls.length, before);
  });

  test('a serviceUrl outside teams.serviceUrlHosts is refused (403) even when the token names it; the refusal is audited', async () => {
    const where = spot('foreign', foreignUrl);
    const res = await send(messageActivity(where, admin, 'subscribe'), await bf.channelToken({ aud: appId, serviceurl: foreignUrl }));
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.code, 'ARGUS_SERVICE_URL_NOT_ALLOWED');
    assert.equal(await stored(where.conversationId), false);
    assert.equal(foreign.calls.length + foreign.requests.length, 0, 'the foreign host never sees a call (nor the bot token)');
    const rows: string[] = [];
    for await (const e of h.table(tableNames.audit).listEntities({ queryOptions: { filter: `action eq 'teams.activity.received'` } })) rows.push(String(e.detail));
    assert.equal(rows.filter((d) => d.includes('"reason":"service-url"')).length, 1);
  });

  test('an activity of another channel of the bot (Web Chat) is refused (403): nothing stored, nothing sent', async () => {
    const where = spot('webchat');
    const before = h.connector.calls.length;
    const activity = { ...messageActivity(where, admin, 'subscribe'), channelId: 'webchat' };
    const res = await send(activity, await bf.channelToken({ aud: appId, serviceurl: where.serviceUrl }));
    assert.equal(res.status, 403, res.text);
    assert.equal(res.json.error.code, 'ARGUS_CHANNEL_NOT_ALLOWED');
    assert.equal(await stored(where.conversationId), false);
    assert.equal(h.connector.calls.length, before);
  });

  test('an activity over teams.maxBodyBytes is refused with 413 (webhooks keep bodyLimitBytes)', async () => {
    const where = spot('big');
    const activity = { ...messageActivity(where, admin, 'whoami'), padding: 'x'.repeat(70_000) };
    const res = await send(activity, await bf.channelToken({ aud: appId, serviceurl: where.serviceUrl }));
    assert.equal(res.status, 413, res.text);
    assert.equal(res.json.error.code, 'ARGUS_PAYLOAD_TOO_LARGE');
    assert.equal(await stored(where.conversationId), false);
  });

  test('a stored conversation whose serviceUrl is not allow-listed gets no Bot Connector call', async () => {
    // A row written before the allow-list existed (or by anything else): outbound calls check again.
    const reference = { channelId: 'msteams', serviceUrl: foreignUrl, conversation: { id: legacyChannel, isGroup: true, conversationType: 'channel' }, bot: { id: '28:argus' } };
    await h.table(tableNames.conversations).createEntity({
      partitionKey: 'conversation',
      rowKey: encodeKey(legacyChannel),
      conversationId: legacyChannel,
      kind: 'channel',
      tenantId: home,
      teamId: legacyChannel,
      reference: JSON.stringify(reference),
      installedAt: new Date().toISOString(),
      installedBy: admin.aadObjectId,
    });
    assert.equal((await h.signedPost('/api/webhooks/sentinel', sentinelFixture('logic-app-incident-created.json'))).status, 202);
    const refused = () => h.logs.lines.find((l) => JSON.stringify(l.err ?? '').includes('ARGUS_SERVICE_URL_NOT_ALLOWED'));
    await waitFor(refused, { what: 'the refused delivery in the log', timeoutMs: 10_000 });
    assert.ok(refused(), 'the delivery was refused');
    assert.equal(foreign.requests.length, 0, 'the foreign host never sees a call (nor the bot token)');
  });

  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  test('/readyz names failing parts only; error texts are for callers on this machine', { skip: !lan && 'no non-loopback interface' }, async () => {
    const remote = () => fetch(`${h.url.replace('127.0.0.1', lan!)}/readyz`);
    const local = () => fetch(`${h.url}/readyz`);
    const ready = await remote();
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', failing: [] });
    assert.ok(Array.isArray(((await (await local()).json()) as { checks?: unknown }).checks));

    await h.azurite.stop();
    const [down, downLocal] = await Promise.all([remote(), local()]);
    assert.equal(down.status, 503);
    const text = await down.text();
    assert.deepEqual(JSON.parse(text), { status: 'unavailable', failing: ['storage', 'queue'] });
    const details = (await downLocal.json()) as { checks: Array<{ name: string; ok: boolean; error?: string }> };
    assert.equal(downLocal.status, 503);
    assert.ok(details.checks.find((c) => c.name === 'storage')?.error, 'a local caller sees why');
  });
});

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { encodeKey } from '../../src/storage/keys';
import { tableNames } from '../../src/storage/table-store';
import { countEntities, startHarness, type Harness } from '../helpers/argus-harness';
import { botId, testUser, type TestUser } from '../helpers/fake-bot-connector';
import { installActivity, messageActivity, type ChannelSpot } from '../helpers/teams-activities';
import { accessYaml, home, partner, testPeople } from '../helpers/test-people';

const people = testPeople('50000000');
const nobody = testUser('Nia Norole', '50000000-0000-4000-8000-000000000007', home);
const outsider = testUser('Otto Outsider', '50000000-0000-4000-8000-000000000008', partner);

let h: Harness;

/** A request with a Host header of our choosing (fetch will not send one). */
function withHost(host: string, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.url}${path}`, { method, headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function personal(user: TestUser, type: 'message' | 'installationUpdate') {
  const conversationId = `a:1${user.aadObjectId.slice(0, 8)}-${type}`;
  return {
    conversationId,
    activity: {
      type,
      ...(type === 'message' ? { text: 'whoami' } : { action: 'add' }),
      id: `${Date.now()}`,
      channelId: 'msteams',
      serviceUrl: h.connector.url,
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
      recipient: { id: botId, name: 'Argus' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: user.tenantId },
      channelData: { tenant: { id: user.tenantId } },
    },
  };
}

async function stored(conversationId: string): Promise<boolean> {
  return (await countEntities(h.table(tableNames.conversations), `RowKey eq '${encodeKey(conversationId)}'`)) === 1;
}

describe('dev mode: loopback Host names only; conversations stored only for people with a role', () => {
  before(async () => {
    h = await startHarness({ configYaml: `tenantId: ${home}\n${accessYaml(people, 'responder')}\n` });
  });
  after(() => h.stop());

  test('a request whose Host is not loopback is refused (403) on every route; nothing is stored', async () => {
    const spot: ChannelSpot = { serviceUrl: h.connector.url, conversationId: '19:rebound@thread.tacv2', teamId: '19:rebound@thread.tacv2', tenantId: home };
    for (const host of ['attacker.example:3978', 'localhost.attacker.example', '127.0.0.1.nip.io', '10.0.0.5']) {
      for (const [method, path] of [['GET', '/healthz'], ['GET', '/readyz'], ['GET', '/no-such-route']] as const) {
        const res = await withHost(host, method, path);
        assert.equal(res.status, 403, `${host} ${path}`);
        assert.equal(res.json.error.code, 'ARGUS_HOST_NOT_ALLOWED');
      }
      const post = await withHost(host, 'POST', '/api/messages', JSON.stringify(installActivity(spot, people.admin)));
      assert.equal(post.status, 403);
    }
    assert.equal(await stored(spot.conversationId), false);
    assert.equal(h.connector.calls.length, 0);
  });

  test('localhost, 127.x.x.x and [::1] Host names are answered', async () => {
    const port = new URL(h.url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, '127.8.9.10', `[::1]:${port}`, 'LOCALHOST'])
      assert.equal((await withHost(host, 'GET', '/healthz')).status, 200, host);
  });

  test('/readyz from this machine shows each check', async () => {
    const body = (await (await fetch(`${h.url}/readyz`)).json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
    assert.equal(body.status, 'ready');
    assert.deepEqual(body.checks.map((c) => c.name), ['storage', 'queue']);
  });

  test('a message from someone without a role is answered, but the conversation is not stored', async () => {
    const { conversationId, activity } = personal(nobody, 'message');
    assert.equal((await h.activity(activity)).status, 200);
    await h.connector.waitFor((c) => c.conversationId === conversationId);
    assert.equal(await stored(conversationId), false);
  });

  test('a message from a reader stores the conversation', async () => {
    const { conversationId, activity } = personal(people.reader, 'message');
    assert.equal((await h.activity(activity)).status, 200);
    assert.equal(await stored(conversationId), true);
  });

  test('a personal install by someone without a role is not stored, and the refusal is audited', async () => {
    const { conversationId, activity } = personal(nobody, 'installationUpdate');
    assert.equal((await h.activity(activity)).status, 200);
    assert.equal(await stored(conversationId), false);
    assert.equal(await countEntities(h.table(tableNames.audit), `action eq 'teams.installed' and outcome eq 'denied' and actorId eq '${nobody.aadObjectId}'`), 1);
  });

  test('a team install from the home tenant is stored even without a role; from another tenant it needs one', async () => {
    const ours: ChannelSpot = { serviceUrl: h.connector.url, conversationId: '19:ours@thread.tacv2', teamId: '19:ours@thread.tacv2', tenantId: home };
    assert.equal((await h.activity(installActivity(ours, nobody))).status, 200);
    assert.equal(await stored(ours.conversationId), true);
    const theirs: ChannelSpot = { serviceUrl: h.connector.url, conversationId: '19:theirs@thread.tacv2', teamId: '19:theirs@thread.tacv2', tenantId: partner };
    assert.equal((await h.activity(installActivity(theirs, outsider))).status, 200);
    assert.equal(await stored(theirs.conversationId), false);
    assert.equal((await h.activity(messageActivity(theirs, people.partnerUser, 'whoami'))).status, 200);
    assert.equal(await stored(theirs.conversationId), true, 'a listed federated user with a role stores it');
  });
});

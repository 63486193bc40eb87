import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { sendDemoIncidents, subscribeDemoChannel, waitForBrowser } from '../../src/cli/demo-command';
import { parsePlaygroundArgs } from '../../src/cli/playground-command';
import { mockCurrentUser, mockTeam } from '../../src/cli/playground/mock-tenant';
import { sampleSentinelIncident } from '../../src/cli/send-sample-command';
import { isArgusError } from '../../src/errors/catalog';
import { signBody, signatureHeader } from '../../src/security/signature';
import { cardOf, findAction, playgroundWebhookSecret, startPlaygroundHarness, type PlaygroundHarness, type StreamMessage } from '../helpers/playground';

/**
 * Argus in the Microsoft 365 Agents Playground, driven over the playground's own HTTP and
 * WebSocket API, as its chat UI does: subscribe in a team channel, receive a live incident card,
 * click Acknowledge, see the card refreshed in place.
 */
let p: PlaygroundHarness;
let card: StreamMessage;

describe('local Teams: Argus in the Agents Playground', () => {
  before(async () => {
    p = await startPlaygroundHarness();
  });
  after(() => p?.stop());

  test('the playground plays Argus\'s mock tenant: the current user and the SOC team', () => {
    assert.equal(p.tenant.currentUser.aadObjectId, mockCurrentUser.aadObjectId);
    assert.equal(p.tenant.teams[0]?.id, mockTeam.id);
    assert.match(p.session.playground.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('the playground process gets none of Argus\'s secrets or storage settings', { skip: !existsSync('/proc/self/environ') }, () => {
    const environ = readFileSync(`/proc/${p.session.playground.pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('TEAMSAPPTESTER_BROWSER=none'));
    assert.deepEqual(environ.filter((e) => e.startsWith('ARGUS_')), []);
  });

  test('"@Argus subscribe" in the General channel is answered in its thread', async () => {
    const posted = await p.session.client.say(p.tenant, mockTeam.id, 'subscribe High Medium', { mention: true });
    assert.ok(posted.postConversationId?.startsWith(`${mockTeam.id};messageid=`));
    const reply = await p.waitForBot((m, text) => m.actionConversationId === posted.postConversationId && /Subscribed/.test(text));
    assert.match(JSON.stringify(cardOf(reply)), /High, Medium/);
  });

  test('a signed Sentinel incident arrives as a new card thread in the channel', async () => {
    const body = JSON.stringify(sampleSentinelIncident({ number: 4711, severity: 'High', title: 'Playground incident' }));
    const res = await fetch(`${p.session.argus.url}/api/webhooks/sentinel`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', [signatureHeader]: signBody(playgroundWebhookSecret, body) },
    });
    assert.equal(res.status, 202);
    card = await p.waitForBot((m, text) => m.action === 'createMessage' && /#4711/.test(text));
    assert.equal(card.actionConversationId, mockTeam.id);
    assert.ok(card.message?.postConversationId, 'a new thread');
    // The channel card is read-only: it offers Refresh, which answers with the viewer's own buttons.
    assert.equal(findAction(cardOf(card), 'incident.acknowledge'), undefined, 'no acting button on the shared card');
    assert.ok(findAction(cardOf(card), 'incident.refresh'), 'the card offers Refresh');
  });

  test('Acknowledge: the click is answered with the refreshed card, and the posted card is updated in place', async () => {
    const refresh = findAction(cardOf(card), 'incident.refresh')!;
    const own = await p.session.client.execute(p.tenant, { conversationId: card.message!.postConversationId!, replyToId: card.message!.messageId, verb: refresh.verb, data: refresh.data });
    const ack = findAction(own.value, 'incident.acknowledge')!;
    assert.ok(ack, "the admin's own view offers Acknowledge");
    const answer = await p.session.client.execute(p.tenant, {
      conversationId: card.message!.postConversationId!,
      replyToId: card.message!.messageId,
      verb: ack.verb,
      data: ack.data,
    });
    assert.equal(answer.type, 'application/vnd.microsoft.card.adaptive');
    assert.match(JSON.stringify(answer.value), new RegExp(`Acknowledged by ${mockCurrentUser.name}`));
    const updated = await p.waitForBot((m, text) => m.action === 'updateMessage' && m.message?.messageId === card.message?.messageId && /Acknowledged by/.test(text));
    const text = JSON.stringify(cardOf(updated));
    assert.match(text, /"text":"Active"/, 'status Active');
    assert.match(text, new RegExp(`"text":"${mockCurrentUser.name}"`), 'owned by the one who clicked');
  });

  test('argus demo: subscribes the Incidents channel, waits for the page to open, then fills the channel with every severity', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => (printed += c.toString('utf8')));
    assert.equal(await subscribeDemoChannel(p.session, { stdout: out }), mockTeam.channel.id);
    assert.match(printed, /subscribed SOC › Incidents/);

    let opened = false;
    const browser = waitForBrowser(p.session, { settleMs: 0 }).then(() => (opened = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(opened, false, 'no page open yet');
    // What the chat UI does when it loads: install the bot in the personal chat.
    const res = await fetch(`${p.session.playground.url}/_debug/conversation/${encodeURIComponent(p.tenant.personalChat.id)}/installation`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 200);
    await browser;

    assert.equal((await sendDemoIncidents(p.session, { stdout: out })).length, 4);
    for (const severity of ['High', 'Medium', 'Low', 'Informational']) {
      await p.waitForBot((m, text) => m.action === 'createMessage' && m.actionConversationId === mockTeam.channel.id && text.includes(`(${severity}, New)`));
    }
  });

  test('every command in the Teams manifest is one Argus implements (its help card lists the registered commands)', async () => {
    const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../manifest/manifest.json'), 'utf8')) as {
      bots: Array<{ commandLists: Array<{ commands: Array<{ title: string }> }> }>;
    };
    const titles = new Set(manifest.bots.flatMap((b) => b.commandLists.flatMap((l) => l.commands.map((c) => c.title))));
    const chat = p.tenant.personalChat.id;
    await p.session.client.say(p.tenant, chat, 'help');
    const reply = await p.waitForBot((m, text) => m.actionConversationId === chat && text.includes('Argus commands:'));
    const implemented = new Set(String(cardOf(reply)?.fallbackText).replace(/^Argus commands: /, '').split(', '));
    for (const title of titles) assert.ok(implemented.has(title), `manifest command '${title}' is not implemented (${[...implemented].join(', ')})`);
  });

  test('command-line options are checked', () => {
    assert.deepEqual(parsePlaygroundArgs(['--role', 'reader', '--port', '0'], 'u'), { role: 'reader', playgroundPort: 0, argusPort: undefined });
    for (const bad of [['--role', 'root'], ['--port', 'x'], ['--bogus']]) {
      assert.throws(() => parsePlaygroundArgs(bad, 'u'), (err) => isArgusError(err, 'ARGUS_BAD_REQUEST'), bad.join(' '));
    }
    assert.throws(() => parsePlaygroundArgs(['--role', 'admin'], 'u', { role: false }), (err) => isArgusError(err, 'ARGUS_BAD_REQUEST'));
  });
});

import { isArgusError, ArgusError } from '../errors/catalog';
import { signBody, signatureHeader } from '../security/signature';
import { writeLine, type CliCommand, type CliIO } from './command';
import { parsePlaygroundArgs, printBanner, runUntilSignal, startForCli } from './playground-command';
import { demoSentinelBodies } from './playground/demo-incidents';
import type { PlaygroundSession } from './playground/playground-session';

/**
 * `@Argus subscribe` in the SOC team's Incidents channel, as the playground's user, through the
 * playground (like a person would). Returns the channel's conversation id.
 */
export async function subscribeDemoChannel(session: PlaygroundSession, io: Pick<CliIO, 'stdout'>): Promise<string> {
  const tenant = await session.client.tenant();
  const team = tenant.teams[0]!;
  const channel = team.channels.find((c) => c.id !== team.id) ?? team.channels[0] ?? team;
  await session.client.say(tenant, channel.id, 'subscribe', { mention: true });
  await session.waitForSubscription(channel.id);
  writeLine(io.stdout, `subscribed ${team.name} › ${channel.name} to incident cards`);
  return channel.id;
}

/** Signed sample incidents (every severity, different entities) to /api/webhooks/sentinel. */
export async function sendDemoIncidents(session: PlaygroundSession, io: Pick<CliIO, 'stdout'>): Promise<string[]> {
  const secret = session.sentinelSecret();
  const eventIds: string[] = [];
  for (const incident of demoSentinelBodies()) {
    const body = JSON.stringify(incident);
    const res = await fetch(`${session.argus.url}/api/webhooks/sentinel`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', [signatureHeader]: signBody(secret, body) },
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await res.json()) as { eventId?: string };
    if (res.status !== 202 || !answer.eventId) throw new ArgusError('ARGUS_INTERNAL', `sample incident refused: ${res.status} ${JSON.stringify(answer)}`);
    eventIds.push(answer.eventId);
    const props = (incident.object as { properties: { incidentNumber: number; severity: string; title: string } }).properties;
    writeLine(io.stdout, `sent incident #${props.incidentNumber} (${props.severity}): ${props.title}`);
  }
  return eventIds;
}

/**
 * Resolves when the chat UI is open. The playground keeps no history for a page that opens later
 * (messages sent while no page is open are handed to the first page before it can show them), so
 * the cards are sent once someone is watching.
 */
export async function waitForBrowser(session: PlaygroundSession, options: { settleMs?: number } = {}): Promise<void> {
  const tenant = await session.client.tenant();
  await session.waitForInstall(tenant.personalChat.id);
  // The page installs the bot right after loading its state; give it a moment to take updates.
  await new Promise((r) => setTimeout(r, options.settleMs ?? 1000));
}

const usage = 'argus demo [--port 56150] [--argus-port 3978]';

/** `argus demo`: `argus playground`, plus a subscribed channel that fills with sample incident cards. */
export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Local Teams with Argus, a subscribed channel and sample incident cards',
  usage,
  async run(args, io) {
    // The demo subscribes a channel as the playground's user, which takes an admin: no --role.
    const parsed = parsePlaygroundArgs(args, usage, { role: false });
    const session = await startForCli(parsed, io);
    try {
      await subscribeDemoChannel(session, io);
    } catch (err) {
      await session.stop();
      throw err;
    }
    printBanner(session, parsed.role, io);
    writeLine(io.stdout, 'Open the page: sample incidents are sent to SOC › Incidents as soon as it has loaded.');
    waitForBrowser(session)
      .then(() => sendDemoIncidents(session, io))
      .then(() => writeLine(io.stdout, 'Open the SOC team\'s Incidents channel to see the cards.'))
      .catch((err: unknown) => {
        if (!isArgusError(err, 'ARGUS_SHUTTING_DOWN')) writeLine(io.stderr, `argus demo: ${err instanceof Error ? err.message : String(err)}`);
      });
    return runUntilSignal(session, io);
  },
};

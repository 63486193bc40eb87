import { randomUUID } from 'node:crypto';
import type { ConnectorCall } from './fake-bot-connector';

/** When version 0 of every storm incident was last modified; version `v` is `v` seconds later. */
export const stormBase = Date.UTC(2026, 10, 21, 9, 0, 0);

/** A bare Sentinel incident resource (the REST shape), version `version` of incident `index`. */
export function stormIncident(index: number, version: number, base = stormBase) {
  const name = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  const statuses = ['New', 'Active'] as const;
  const severities = ['High', 'Medium', 'Low'] as const;
  return {
    id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/ws/providers/Microsoft.SecurityInsights/Incidents/${name}`,
    name,
    etag: `"${randomUUID()}"`,
    type: 'Microsoft.SecurityInsights/Incidents',
    properties: {
      title: `Storm incident ${index}`,
      severity: severities[index % 3],
      status: statuses[Math.min(1, version)],
      incidentNumber: 10_000 + index,
      createdTimeUtc: new Date(base).toISOString(),
      lastModifiedTimeUtc: new Date(base + version * 1000).toISOString(),
      labels: [{ labelName: `v${version}`, labelType: 'User' }],
      owner: { assignedTo: null, email: null, objectId: null, userPrincipalName: null },
      additionalData: { alertsCount: version + 1, bookmarksCount: 0, commentsCount: 0, alertProductNames: [], tactics: [] },
    },
  };
}

/** The largest number of calls to one conversation inside any window of `ms`. */
export function maxCallsInWindow(calls: ConnectorCall[], ms: number): number {
  const byConversation = new Map<string, number[]>();
  for (const c of calls) {
    const key = c.conversationId.split(';messageid=')[0]!;
    byConversation.set(key, [...(byConversation.get(key) ?? []), c.at]);
  }
  let max = 0;
  for (const times of byConversation.values()) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < times.length; end += 1) {
      while (times[end]! - times[start]! >= ms) start += 1;
      max = Math.max(max, end - start + 1);
    }
  }
  return max;
}

/** Runs `tasks` with at most `concurrency` at once. */
export async function pool<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await task(item);
      }
    }),
  );
}

/**
 * The storm version an incident card shows, read from its footer ("Updated <lastModifiedTimeUtc>",
 * which is `stormBase` + version seconds); undefined when the card has no such footer.
 */
export function versionOnCard(card: unknown, base = stormBase): number | undefined {
  const stamp = /Updated \{\{DATE\(([^,)]+)/.exec(JSON.stringify(card))?.[1];
  const at = stamp ? Date.parse(stamp) : NaN;
  return Number.isNaN(at) ? undefined : Math.round((at - base) / 1000);
}

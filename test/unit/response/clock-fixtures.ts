import type { Incident } from '../../../src/incidents/incident';
import type { IncidentRecord } from '../../../src/incidents/incident-repository';
import { createLogger } from '../../../src/logging/logger';
import type { PostedCard } from '../../../src/teams/card-outbox';
import type { TeamsMessage } from '../../../src/teams/teams-delivery';

export const silent = createLogger({ level: 'silent' });

export function incident(overrides: Partial<Incident> = {}): Incident {
  return {
    name: '6f1b7a52-2c4e-4c55-9d0e-3b7f7e1f0a11',
    number: 4711,
    title: 'Ransomware on FIN-WS-042',
    severity: 'High',
    status: 'New',
    labels: [],
    tactics: [],
    techniques: [],
    alertCount: 1,
    alertProducts: [],
    entities: [],
    createdTimeUtc: '2026-03-02T10:00:00.000Z',
    lastModifiedTimeUtc: '2026-03-02T10:00:00.000Z',
    ...overrides,
  };
}

/** Incidents kept in a map (what the clocks read of the incident repository). */
export function incidentsOf(...list: Incident[]) {
  const map = new Map<string, Incident>(list.map((i) => [i.name, i]));
  return {
    map,
    async get(name: string): Promise<IncidentRecord | undefined> {
      const i = map.get(name);
      return i && { incident: structuredClone(i), etag: 'e' };
    },
    async listOpen(): Promise<IncidentRecord[]> {
      return [...map.values()].filter((i) => i.status !== 'Closed').map((i) => ({ incident: structuredClone(i), etag: 'e' }));
    },
  };
}

export interface Sent {
  kind: 'reply' | 'post';
  conversationId: string;
  parent?: string;
  message: TeamsMessage;
}

/** Teams as the clocks see it: the incident's posted cards, and a delivery that records (or fails). */
export function fakeTeams(cards: PostedCard[] = [{ conversationId: '19:soc@thread.tacv2', activityId: 'card-1' }]) {
  const sent: Sent[] = [];
  let failures = 0;
  return {
    sent,
    cards,
    failNext(n: number) {
      failures = n;
    },
    outbox: { cardsOf: async () => cards },
    delivery: {
      async reply(conversationId: string, parent: string, message: TeamsMessage) {
        if (failures > 0) {
          failures -= 1;
          throw new Error('Bot Connector answered 503');
        }
        sent.push({ kind: 'reply', conversationId, parent, message });
        return `r${sent.length}`;
      },
      async post(conversationId: string, message: TeamsMessage) {
        if (failures > 0) {
          failures -= 1;
          throw new Error('Bot Connector answered 503');
        }
        sent.push({ kind: 'post', conversationId, message });
        return `p${sent.length}`;
      },
    },
  };
}

export const textOf = (s: Sent): string => ('text' in s.message ? s.message.text : JSON.stringify(s.message.card));

/** A clock whose time is set by hand. */
export function manualClock(startIso: string) {
  let now = Date.parse(startIso);
  return {
    now: () => now,
    set(iso: string) {
      now = Date.parse(iso);
    },
    advance(ms: number) {
      now += ms;
    },
  };
}

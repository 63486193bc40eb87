import type { FeatureParts } from '../app/feature';
import type { AuditLog } from '../audit/audit-log';
import type { EventHandler, EventsOf } from '../events/router';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { EntityTable } from '../storage/entity-table';
import type { PostedCard } from '../teams/card-outbox';
import type { TeamsDelivery } from '../teams/teams-delivery';
import { clockActions } from './clock-actions';
import { sweepClocks } from './clock-reminders';
import type { ClockOptions } from './clock-rules';
import { clockSectionFor } from './clock-section-view';
import { ClockService } from './clock-service';
import { clockRows, escalationRows } from './clock-store';
import { clockSweeper, type SweepJob } from './clock-sweeper';
import type { EscalationPolicy } from './escalation';
import { EscalationService, type EscalationDeps } from './escalation-service';
import { SweepLease } from './sweep-lease';

export interface ClocksDeps {
  /** Table ArgusClocks. */
  table: EntityTable;
  /** Configured windows and holidays (response.clocks). */
  options: ClockOptions;
  /** The `escalation` config; absent: no escalation. */
  policy?: EscalationPolicy;
  incidents: Pick<IncidentRepository, 'get' | 'listOpen'>;
  /** The incident's cards in Teams (their threads get reminders). */
  cards: { cardsOf(incidentName: string): Promise<PostedCard[]> };
  delivery: Pick<TeamsDelivery, 'reply' | 'post'>;
  people: EscalationDeps['people'];
  publisher: Pick<CardPublisher, 'render' | 'publish'>;
  audit: AuditLog;
  logger: Logger;
  /** This instance (for the sweep lease and claims). */
  owner: string;
  /** How often the sweep looks for reminders and steps due (5 s: they fire within 15 s of their time). */
  sweepIntervalMs?: number;
  /**
   * Also look, every minute, for open incidents that have no escalation yet: without Sentinel,
   * incidents are made by Argus itself and no Sentinel event announces them.
   */
  adoptOpenIncidents: boolean;
  now?: () => number;
}

export interface ClocksHandlers {
  /** Starts, follows and stops an incident's escalation from its Sentinel versions (absent without an escalation policy). */
  followIncident?: EventHandler<EventsOf<'sentinel.incident'>>;
}

export interface ClocksFeature extends FeatureParts {
  handlers: ClocksHandlers;
  service: ClockService;
}

const leaseTtlMs = 10_000;

/** Compliance clocks (incident.regulation, clock.done, reminders) and escalation of unacknowledged incidents. */
export function createClocksFeature(deps: ClocksDeps): ClocksFeature {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const rows = clockRows(deps.table);
  const service = new ClockService({
    rows,
    options: deps.options,
    incidents: deps.incidents,
    audit: deps.audit,
    publish: (name, note) => deps.publisher.publish(name, note),
    now,
  });
  const jobs: SweepJob[] = [
    {
      name: 'clock reminders',
      run: (holdLease) =>
        sweepClocks(
          { rows, cards: deps.cards, delivery: deps.delivery, audit: deps.audit, refresh: (name) => deps.publisher.publish(name), owner: deps.owner, now, logger: log },
          holdLease,
        ),
    },
  ];
  const { policy } = deps;
  const escalation =
    policy &&
    new EscalationService({ policy, rows: escalationRows(deps.table, policy), incidents: deps.incidents, cards: deps.cards, delivery: deps.delivery, people: deps.people, audit: deps.audit, owner: deps.owner, now, logger: log });
  if (escalation) {
    jobs.push({ name: 'escalation', run: (holdLease) => escalation.sweep(holdLease) });
    if (deps.adoptOpenIncidents)
      jobs.push({
        name: 'escalation adoption',
        everyMs: 60_000,
        run: async (holdLease) => {
          const seenAt = new Date(now()).toISOString();
          for (const record of await deps.incidents.listOpen(5000)) {
            if (record.incident.status !== 'New') continue;
            if (!(await holdLease())) return;
            await escalation.follow(record.incident, seenAt);
          }
        },
      });
  }
  return {
    service,
    handlers: {
      followIncident: escalation && ((event) => escalation.follow(event.payload.incident, event.receivedAt)),
    },
    actions: clockActions({ service, incidents: deps.incidents, publisher: deps.publisher }),
    cardSections: [async (record, viewer) => ({ clocks: clockSectionFor(await service.forIncident(record.incident.name), viewer, now()) })],
    background: [
      clockSweeper({ lease: new SweepLease(deps.table, 'clocks', deps.owner, leaseTtlMs), intervalMs: deps.sweepIntervalMs ?? 5_000, leaseTtlMs, jobs, logger: log }),
    ],
  };
}

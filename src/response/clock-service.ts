import type { AuditLog } from '../audit/audit-log';
import type { Actor } from '../access/roles';
import type { IncidentRepository } from '../incidents/incident-repository';
import { regimes, type ClockOptions, type Regime } from './clock-rules';
import { clockKey, milestoneLabel, newClock, withDeadlines, type ClockRecord } from './clock-records';
import type { DueRows } from './due-rows';

/**
 * Starting compliance clocks and recording their milestones as met (the verbs incident.regulation
 * and clock.done). Each outcome is audited: succeeded, or rejected with the reason people see.
 */
export interface ClockServiceDeps {
  rows: DueRows<ClockRecord>;
  options: ClockOptions;
  incidents: Pick<IncidentRepository, 'get'>;
  audit: AuditLog;
  /** Re-renders the incident's cards, with a line for their threads. */
  publish(incidentName: string, note: string): Promise<void>;
  now?: () => number;
}

export type ClockOutcome = { kind: 'changed' | 'unchanged'; text: string; record: ClockRecord } | { kind: 'rejected'; text: string };

export interface Requester {
  actor: Actor;
  correlationId: string;
}

/** An awareness time entered by hand further than this from now is an edit: it needs a reason. */
const editSlackMs = 60_000;
const maxPastMs = 400 * 86_400_000;
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function isRegime(value: unknown): value is Regime {
  return typeof value === 'string' && (regimes as readonly string[]).includes(value);
}

const who = (actor: Actor) => actor.name ?? actor.aadObjectId ?? 'someone';
const utc = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export class ClockService {
  private readonly now: () => number;

  constructor(private readonly deps: ClockServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The incident's clocks, regimes in a stable order. */
  async forIncident(incidentName: string): Promise<ClockRecord[]> {
    const rows = await this.deps.rows.list(`${incidentName}|`);
    return rows.map((r) => r.value).sort((a, b) => regimes.indexOf(a.regime) - regimes.indexOf(b.regime));
  }

  /** incident.regulation: starts the regime's clock, or moves its awareness time (with a reason). */
  async start(incidentName: string, input: { regime: unknown; awareAt?: string; reason?: string }, by: Requester): Promise<ClockOutcome> {
    const reject = (text: string, detail: Record<string, unknown> = {}) => this.rejected('clock.started', incidentName, by, text, detail);
    if (!isRegime(input.regime)) return reject(`Choose a regime Argus keeps clocks for: ${regimes.join(', ')}.`, { regime: String(input.regime).slice(0, 20) });
    const regime = input.regime;
    const now = this.now();
    let awareAt = now;
    if (input.awareAt !== undefined) {
      if (!isoTime.test(input.awareAt) || Number.isNaN(Date.parse(input.awareAt)))
        return reject('The awareness time must be an ISO-8601 time with its zone, such as 2026-03-02T09:30Z.', { regime });
      awareAt = Date.parse(input.awareAt);
      if (awareAt > now + editSlackMs) return reject('The awareness time cannot be in the future.', { regime });
      if (awareAt < now - maxPastMs) return reject('The awareness time is more than 400 days ago.', { regime });
    }
    const edited = Math.abs(awareAt - now) > editSlackMs;
    const reason = input.reason?.trim().slice(0, 500) || undefined;
    const record = await this.deps.incidents.get(incidentName);
    if (!record) return reject('Argus does not know this incident.', { regime });
    const key = clockKey(incidentName, regime);
    const existing = await this.deps.rows.get(key);
    const starter = { aadObjectId: by.actor.aadObjectId, name: by.actor.name };

    if (!existing) {
      if (edited && !reason) return reject('Entering an awareness time other than now needs a reason.', { regime, awareAt: new Date(awareAt).toISOString() });
      const clock = newClock(record.incident, regime, { awareAt: new Date(awareAt), awareReason: edited ? reason : undefined, by: starter, now: new Date(now) }, this.deps.options);
      const created = await this.deps.rows.create(key, clock);
      if (!created) return this.start(incidentName, input, by); // started at the same moment by someone else: treat as an edit
      await this.audit('clock.started', 'succeeded', incidentName, by, { regime, awareAt: clock.awareAt, reason: clock.awareReason ?? null, due: dueList(clock) });
      const text = `${regime.toUpperCase()} clock started by ${who(by.actor)}: ${clock.milestones.map((m) => `${milestoneLabel(regime, m.milestone)} due ${utc(m.dueAt)}`).join('; ')}`;
      await this.deps.publish(incidentName, `⏱ ${text}`);
      return { kind: 'changed', text, record: clock };
    }
    if (input.awareAt === undefined || Math.abs(Date.parse(existing.value.awareAt) - awareAt) < 1000)
      return { kind: 'unchanged', text: `The ${regime.toUpperCase()} clock is already running (aware since ${utc(existing.value.awareAt)}).`, record: existing.value };
    if (!reason) return reject('Changing the awareness time of a running clock needs a reason.', { regime, awareAt: new Date(awareAt).toISOString() });
    const from = existing.value.awareAt;
    const saved = await this.deps.rows.mutate(key, (clock) => withDeadlines({ ...clock, awareAt: new Date(awareAt).toISOString(), awareReason: reason }, this.deps.options));
    if (!saved) return reject('The clock is gone.', { regime });
    await this.audit('clock.aware-changed', 'succeeded', incidentName, by, { regime, from, to: saved.value.awareAt, reason, due: dueList(saved.value) });
    const text = `${regime.toUpperCase()} awareness time moved from ${utc(from)} to ${utc(saved.value.awareAt)} by ${who(by.actor)}`;
    await this.deps.publish(incidentName, `⏱ ${text} (${reason})`);
    return { kind: 'changed', text, record: saved.value };
  }

  /** clock.done: the notification was made; records who, when and the reference, and stops its reminders. */
  async done(incidentName: string, input: { regime: unknown; milestone: unknown; reference?: string }, by: Requester): Promise<ClockOutcome> {
    const regime = isRegime(input.regime) ? input.regime : undefined;
    const milestone = typeof input.milestone === 'string' ? input.milestone : '';
    const reject = (text: string) => this.rejected('clock.done', incidentName, by, text, { regime: regime ?? String(input.regime).slice(0, 20), milestone: milestone.slice(0, 40) });
    if (!regime) return reject(`Choose a regime Argus keeps clocks for: ${regimes.join(', ')}.`);
    const reference = input.reference?.trim().slice(0, 200) || undefined;
    const key = clockKey(incidentName, regime);
    const existing = await this.deps.rows.get(key);
    const target = existing?.value.milestones.find((m) => m.milestone === milestone);
    if (!existing || !target) return reject(`This incident has no ${regime.toUpperCase()} milestone '${milestone.slice(0, 40)}'.`);
    if (target.met)
      return { kind: 'unchanged', text: `${milestoneLabel(regime, milestone)} was recorded as made by ${target.met.by} at ${utc(target.met.at)}.`, record: existing.value };
    const at = new Date(this.now()).toISOString();
    const met = { at, by: who(by.actor), ...(by.actor.aadObjectId ? { byId: by.actor.aadObjectId } : {}), ...(reference ? { reference } : {}) };
    const saved = await this.deps.rows.mutate(key, (clock) => {
      const m = clock.milestones.find((x) => x.milestone === milestone);
      if (!m || m.met) return undefined;
      m.met = met;
      return withDeadlines(clock, this.deps.options);
    });
    if (!saved) return this.done(incidentName, input, by); // met meanwhile: answer what is stored
    await this.audit('clock.done', 'succeeded', incidentName, by, { regime, milestone, reference: reference ?? null, dueAt: target.dueAt, late: at > target.dueAt });
    const text = `${milestoneLabel(regime, milestone)}: recorded as made by ${met.by}${reference ? ` (reference ${reference})` : ''}`;
    await this.deps.publish(incidentName, `✅ ${text}`);
    return { kind: 'changed', text, record: saved.value };
  }

  private async rejected(action: string, incidentName: string, by: Requester, text: string, detail: Record<string, unknown>): Promise<ClockOutcome> {
    await this.audit(action, 'rejected', incidentName, by, { ...detail, reason: text });
    return { kind: 'rejected', text };
  }

  private async audit(action: string, outcome: 'succeeded' | 'rejected', target: string, by: Requester, detail: Record<string, unknown>): Promise<void> {
    await this.deps.audit.append({
      action,
      outcome,
      actorId: by.actor.aadObjectId,
      actorName: by.actor.name,
      actorTenantId: by.actor.tenantId,
      target,
      correlationId: by.correlationId,
      detail,
    });
  }
}

function dueList(clock: ClockRecord): Record<string, string> {
  return Object.fromEntries(clock.milestones.map((m) => [m.milestone, m.dueAt]));
}

import { describeMs } from '../card-section';
import { findRule } from '../clock-rules';
import { milestoneStatus, type ClockRecord } from '../clock-records';
import type { IncidentEntity } from '../../incidents/incident';
import type { ReportData } from './report-types';

/** "2024-05-01 14:21 UTC" (minutes only: reports are read by people, and a time with seconds looks like an address). */
export function when(iso: string | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '—';
  return `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const kindNames: Record<string, [string, string]> = {
  Account: ['user account', 'user accounts'],
  Host: ['device', 'devices'],
  Ip: ['network address', 'network addresses'],
  Url: ['web address', 'web addresses'],
  FileHash: ['file fingerprint', 'file fingerprints'],
  File: ['file', 'files'],
  Process: ['process', 'processes'],
  Mailbox: ['mailbox', 'mailboxes'],
  MailMessage: ['e-mail', 'e-mails'],
  CloudApplication: ['cloud application', 'cloud applications'],
  AzureResource: ['cloud resource', 'cloud resources'],
  DnsResolution: ['domain lookup', 'domain lookups'],
  Malware: ['malware finding', 'malware findings'],
};

/** "3 user accounts, 1 device" — entity counts in words, no names. */
export function entityCounts(entities: readonly IncidentEntity[]): string {
  const counts = new Map<string, number>();
  for (const e of entities) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  if (counts.size === 0) return 'no affected items recorded yet';
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => {
      const [one, many] = kindNames[kind] ?? [`${kind} item`, `${kind} items`];
      return `${n} ${n === 1 ? one : many}`;
    })
    .join(', ');
}

export function timeLeft(dueAt: string, now: number): string {
  const ms = Date.parse(dueAt) - now;
  return ms >= 0 ? `${describeMs(ms)} left` : `${describeMs(-ms)} overdue`;
}

export interface MilestoneLine {
  regime: string;
  milestone: string;
  title: string;
  source: string;
  dueAt: string;
  status: 'open' | 'met' | 'overdue';
  metAt?: string;
  metBy?: string;
  reference?: string;
}

/** Every milestone of every clock, soonest due first. */
export function milestoneLines(clocks: readonly ClockRecord[], now: number): MilestoneLine[] {
  return clocks
    .flatMap((c) =>
      c.milestones.map((m): MilestoneLine => {
        const rule = findRule(c.regime, m.milestone);
        return {
          regime: c.regime.toUpperCase(),
          milestone: m.milestone,
          title: rule?.title ?? m.milestone,
          source: rule?.source ?? '',
          dueAt: m.dueAt,
          status: milestoneStatus(m, now),
          ...(m.met ? { metAt: m.met.at, metBy: m.met.by, ...(m.met.reference ? { reference: m.met.reference } : {}) } : {}),
        };
      }),
    )
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

export function stepProgress(d: ReportData): string {
  const steps = d.plan?.steps ?? [];
  if (steps.length === 0) return 'No response plan is attached.';
  const settled = steps.filter((s) => s.status === 'done' || s.status === 'skipped').length;
  return `${settled} of ${steps.length} steps of plan "${d.plan?.title}" are done or skipped.`;
}

/** Open steps of the current phase (what comes next). */
export function nextSteps(d: ReportData): string[] {
  return (d.plan?.steps ?? []).filter((s) => s.phase === d.phase && (s.status === 'pending' || s.status === 'running' || s.status === 'failed')).map((s) => `${s.title} (${s.status})`);
}

export function owner(d: ReportData): string {
  const o = d.incident.owner;
  return o?.assignedTo ?? o?.userPrincipalName ?? o?.email ?? 'unassigned';
}

import type { Ticket, TicketStatus } from '../ticket';

/** Jira issues and Service Management requests mapped onto Argus's ticket model. */

export const correlationLabelPrefix = 'argus-';
/** Every request Argus opens carries this label (with labels as the correlation field). */
export const argusLabel = 'argus';

/** Jira's status categories: To Do, In Progress, Done (instances name their statuses freely). */
export function statusFromCategory(key: string | undefined): TicketStatus {
  const k = (key ?? '').toLowerCase();
  if (k === 'done') return 'resolved';
  if (k === 'new') return 'new';
  return 'in_progress';
}

/** "2026-11-21T09:30:00.000+0000" (Jira's format) → milliseconds. */
export function jiraTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

export interface JiraIssueJson {
  id?: unknown;
  key?: unknown;
  fields?: Record<string, unknown>;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The incident name stored on an issue: label argus-<name>, or the custom field's value. */
export function correlationOf(fields: Record<string, unknown>, correlationField: string): string | undefined {
  if (correlationField === 'labels') {
    const labels = Array.isArray(fields.labels) ? fields.labels.filter((l): l is string => typeof l === 'string') : [];
    const label = labels.find((l) => l.startsWith(correlationLabelPrefix));
    return label ? label.slice(correlationLabelPrefix.length) : undefined;
  }
  return str(fields[correlationField])?.trim();
}

export function issueToTicket(issue: JiraIssueJson, options: { baseUrl: string; correlationField: string }): Ticket {
  const fields = issue.fields ?? {};
  const status = (fields.status ?? {}) as { name?: unknown; statusCategory?: { key?: unknown } };
  const assignee = fields.assignee as { displayName?: unknown } | null | undefined;
  const priority = fields.priority as { name?: unknown } | null | undefined;
  const key = String(issue.key ?? '');
  const updatedMs = jiraTime(fields.updated);
  return {
    provider: 'jira',
    id: String(issue.id ?? ''),
    number: key,
    url: `${options.baseUrl}/browse/${encodeURIComponent(key)}`,
    title: str(fields.summary) ?? key,
    status: statusFromCategory(str(status.statusCategory?.key)),
    statusLabel: str(status.name) ?? 'Unknown',
    assignee: str(assignee?.displayName),
    priority: str(priority?.name),
    correlationId: correlationOf(fields, options.correlationField),
    version: updatedMs ?? 0,
    updatedAt: updatedMs === undefined ? undefined : new Date(updatedMs).toISOString(),
  };
}

/** Jira's `{errorMessages, errors}` or Service Management's `{errorMessage}` as one line. */
export function describeJiraError(status: number, data: unknown): string {
  if (typeof data !== 'object' || data === null) return `HTTP ${status}`;
  const d = data as { errorMessages?: unknown; errors?: unknown; errorMessage?: unknown };
  const parts: string[] = [];
  if (typeof d.errorMessage === 'string') parts.push(d.errorMessage);
  if (Array.isArray(d.errorMessages)) parts.push(...d.errorMessages.filter((m): m is string => typeof m === 'string'));
  if (d.errors && typeof d.errors === 'object') for (const [k, v] of Object.entries(d.errors)) parts.push(`${k}: ${String(v)}`);
  return (parts.join('; ') || `HTTP ${status}`).slice(0, 500);
}

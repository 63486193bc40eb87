import type { Severity } from '../../incidents/incident';
import { statusLabels, ticketStatuses, type Ticket, type TicketStatus } from '../ticket';

/**
 * ServiceNow incident records as the Table API returns them with `sysparm_display_value=all`
 * and `sysparm_exclude_reference_link=true`: every field is `{display_value, value}` (reference
 * fields such as assigned_to carry the sys_id as value and the name as display value).
 */

/** Fields Argus reads; asked for with sysparm_fields so answers stay small. */
export const incidentFields = [
  'sys_id',
  'number',
  'short_description',
  'state',
  'assigned_to',
  'priority',
  'correlation_id',
  'sys_updated_on',
  'sys_mod_count',
] as const;

/** The out-of-the-box incident states; instances that differ set `itsm.servicenow.states`. */
export const defaultStates: Record<string, TicketStatus> = {
  '1': 'new',
  '2': 'in_progress',
  '3': 'on_hold',
  '6': 'resolved',
  '7': 'closed',
  '8': 'canceled',
};

/** High → 1, Medium → 2, Low and Informational → 3 (urgency and impact alike). */
export const severityToUrgency: Record<Severity, '1' | '2' | '3'> = { High: '1', Medium: '2', Low: '3', Informational: '3' };

export interface FieldValue {
  value: string;
  display: string;
}

/** A field of a record in either shape ServiceNow uses: a plain string, or `{display_value, value}`. */
export function fieldOf(record: Record<string, unknown>, name: string): FieldValue {
  const raw = record[name];
  if (typeof raw === 'string') return { value: raw, display: raw };
  if (typeof raw === 'number') return { value: String(raw), display: String(raw) };
  if (raw && typeof raw === 'object') {
    const o = raw as { value?: unknown; display_value?: unknown };
    const value = typeof o.value === 'string' ? o.value : o.value === undefined || o.value === null ? '' : String(o.value);
    const display = typeof o.display_value === 'string' ? o.display_value : value;
    return { value, display };
  }
  return { value: '', display: '' };
}

/** "2026-11-21 09:30:00" (the integration user's time zone, which should be UTC) → ISO. */
export function serviceNowTime(value: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim());
  if (!m) return undefined;
  return `${m[1]}T${m[2]}Z`;
}

export class StateMap {
  private readonly byValue: Record<string, TicketStatus>;

  constructor(overrides: Record<string, TicketStatus> = {}) {
    this.byValue = { ...defaultStates, ...overrides };
  }

  status(value: string): TicketStatus | undefined {
    return this.byValue[value];
  }

  /** The state value to send for `status` (the lowest value mapped to it). */
  valueOf(status: TicketStatus): string | undefined {
    return Object.keys(this.byValue)
      .filter((k) => this.byValue[k] === status)
      .sort((a, b) => Number(a) - Number(b))[0];
  }
}

/**
 * A value for an encoded query. `^` separates the query's terms (`^OR`, `^NQ` start new ones), so a
 * `^` inside a value is written `^^`, which ServiceNow reads as one literal `^`.
 */
export function encodedQueryValue(value: string): string {
  return value.replace(/\^/g, '^^');
}

export function serviceNowUrl(instanceUrl: string, sysId: string): string {
  return `${instanceUrl.replace(/\/+$/, '')}/nav_to.do?uri=incident.do%3Fsys_id%3D${encodeURIComponent(sysId)}`;
}

export function toTicket(record: Record<string, unknown>, options: { instanceUrl: string; states: StateMap }): Ticket {
  const sysId = fieldOf(record, 'sys_id').value;
  const state = fieldOf(record, 'state');
  // An unknown state value is shown by its label and treated as open work.
  const status = options.states.status(state.value) ?? 'in_progress';
  const assignee = fieldOf(record, 'assigned_to');
  const priority = fieldOf(record, 'priority');
  const correlation = fieldOf(record, 'correlation_id').value;
  const updated = fieldOf(record, 'sys_updated_on');
  return {
    provider: 'servicenow',
    id: sysId,
    number: fieldOf(record, 'number').value,
    url: serviceNowUrl(options.instanceUrl, sysId),
    title: fieldOf(record, 'short_description').display,
    status,
    statusLabel: state.display && state.display !== state.value ? state.display : statusLabels[status],
    assignee: assignee.display || undefined,
    priority: priority.display || undefined,
    correlationId: correlation || undefined,
    version: Number(fieldOf(record, 'sys_mod_count').value) || 0,
    updatedAt: serviceNowTime(updated.value) ?? serviceNowTime(updated.display),
  };
}

export function isTicketStatus(value: string): value is TicketStatus {
  return (ticketStatuses as readonly string[]).includes(value);
}

/** `{"error": {"message", "detail"}, "status": "failure"}` as one line. */
export function describeServiceNowError(status: number, data: unknown): string {
  const error = typeof data === 'object' && data !== null ? (data as { error?: { message?: unknown; detail?: unknown } }).error : undefined;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const detail = typeof error?.detail === 'string' && error.detail ? `: ${error.detail}` : '';
  return `${message}${detail}`.slice(0, 500);
}

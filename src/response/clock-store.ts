import type { TableClient } from '@azure/data-tables';
import { asEntityTable, type EntityTable } from '../storage/entity-table';
import { nextClockAt, type ClockRecord } from './clock-records';
import { DueRows } from './due-rows';
import type { EscalationPolicy } from './escalation';
import { nextEscalationAt, type EscalationRecord } from './escalation-service';

/**
 * Table ArgusClocks: partition `clock` (one row per incident and regime, key `<incident>|<regime>`),
 * partition `escalation` (one row per incident), partition `lease` (who sweeps). Readers such as
 * `argus clocks list`, `argus incident show` and the reports open the clocks through `clockRows`.
 */
export function clockRows(table: TableClient | EntityTable): DueRows<ClockRecord> {
  return new DueRows<ClockRecord>(asEntityTable(table), 'clock', nextClockAt, (c) => ({ incidentName: c.incidentName, incidentNumber: c.incidentNumber, regime: c.regime }));
}

export function escalationRows(table: TableClient | EntityTable, policy: EscalationPolicy): DueRows<EscalationRecord> {
  return new DueRows<EscalationRecord>(asEntityTable(table), 'escalation', (r) => nextEscalationAt(policy, r), (r) => ({ incidentName: r.incidentName, incidentNumber: r.incidentNumber, severity: r.severity }));
}

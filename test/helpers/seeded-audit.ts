import { TableAuditLog } from '../../src/audit/table-audit-log';
import { createLogger } from '../../src/logging/logger';
import { openTableStore, type TableStore } from '../../src/storage/table-store';

/** The emulator's tables with an audit chain of `rows` card actions (seq 1..rows), for the CLI tests. */
export async function openSeededAuditStore(connectionString: string, rows = 3): Promise<TableStore> {
  const { store } = await openTableStore({ kind: 'connectionString', connectionString }, { logger: createLogger({ level: 'silent' }) });
  const log = await TableAuditLog.open(store);
  for (let i = 0; i < rows; i += 1) await log.append({ action: 'card.assign', outcome: 'allowed', actorName: `User ${i}`, target: 'inc-1' });
  return store;
}

import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config';
import { EventQueue } from '../events/event-queue';
import { TableEventStore } from '../events/event-store';
import { DurableIntake } from '../events/intake';
import { createLogger } from '../logging/logger';
import { openTableStore } from '../storage/open-table-store';
import { createQueueFactory, queueNames } from '../storage/queues';
import { tableNames } from '../storage/table-store';
import { writeLine, type CliCommand } from './command';

const usage = 'argus events dead [--limit N] | argus events replay <eventId>';

/** `argus events dead` lists dead-lettered events; `argus events replay <id>` queues one again. */
export const eventsCommand: CliCommand = {
  name: 'events',
  summary: 'List dead-lettered events, or replay one',
  usage,
  async run(args, io) {
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { limit: { type: 'string' } } });
    const [sub, id] = positionals;
    if (!((sub === 'dead' && !id) || (sub === 'replay' && id))) {
      writeLine(io.stderr, `usage: ${usage}`);
      return 2;
    }
    const config = loadConfig(io.env, { cwd: io.cwd });
    const logger = createLogger({ level: io.env.LOG_LEVEL ?? 'warn', destination: process.stderr });
    const opened = await openTableStore(config.storage, { logger });
    try {
      const queues = createQueueFactory(opened.queueConnection);
      for (const q of Object.values(queueNames)) await queues.ensureQueue(q);
      // The intake without its workers: only its listing and replay are used here.
      const intake = new DurableIntake({
        store: new TableEventStore(opened.store.client(tableNames.events)),
        queue: new EventQueue(queues.queue(queueNames.events), queues.queue(queueNames.eventsPoison)),
        logger,
      });
      if (sub === 'dead') {
        const dead = (await intake.listDead()).slice(0, Number(values.limit ?? 100));
        for (const d of dead)
          writeLine(io.stdout, `${d.event.id}  ${d.event.name}  ${d.event.receivedAt}  attempts=${d.attempts}  ${d.lastError ?? ''}`);
        writeLine(io.stdout, `${dead.length} dead-lettered event(s)`);
        return 0;
      }
      if (!(await intake.replay(id!))) {
        writeLine(io.stderr, `no event ${id} (or it changed meanwhile; try again)`);
        return 1;
      }
      writeLine(io.stdout, `event ${id} queued again`);
      return 0;
    } finally {
      await opened.store.close();
    }
  },
};

import type { DurableIntake } from '../../src/events/intake';
import type { EventRouter } from '../../src/events/router';

/** An intake for a test instance that starts with its own handler table: `start()` without arguments. */
export function intakeWith(intake: DurableIntake, router: EventRouter): Omit<DurableIntake, 'start'> & { start(): void } {
  const start = intake.start.bind(intake);
  return Object.assign(intake, { start: () => start(router) });
}

import type { Logger } from '../logging/logger';
import type { ArgusEvent, EventName } from './event-map';

export interface HandlerContext {
  log: Logger;
  correlationId: string;
  /** How many times this event was tried before (0 on the first run). */
  attempt: number;
}

/** `sentinel.incident` for `sentinel.incident.created` and `.updated`: the name without its last part. */
type ParentOf<N> = N extends `${infer Source}.${infer Entity}.${string}` ? `${Source}.${Entity}` : never;

/** What a handler can subscribe to: one event name, or the prefix of a family of events. */
export type Subscription = EventName | ParentOf<EventName>;

/** The event names a subscription matches. */
export type EventsOf<S extends Subscription> = S extends EventName ? S : Extract<EventName, `${S}.${string}`>;

export type EventHandler<N extends EventName> = (event: ArgusEvent<N>, ctx: HandlerContext) => Promise<void>;

/** One row of the handler table: what it listens to, what it does, and why it is there. */
export interface HandlerEntry {
  on: Subscription;
  /** A short name for logs and failures ("incidents: store the version"). */
  name: string;
  handle(event: ArgusEvent, ctx: HandlerContext): Promise<void>;
}

/**
 * A typed row of the handler table. An absent handler (a feature that is not configured, such as
 * ticketing without an ITSM) gives no row.
 */
export function handle<S extends Subscription>(on: S, name: string, handler: EventHandler<EventsOf<S>> | undefined): HandlerEntry[] {
  if (!handler) return [];
  // `matches` guarantees that only events of `S` reach the handler.
  return [{ on, name, handle: handler as (event: ArgusEvent, ctx: HandlerContext) => Promise<void> }];
}

function matches(on: Subscription, name: EventName): boolean {
  return on === name || name.startsWith(`${on}.`);
}

/** Thrown when one or more handlers of an event failed; carries the event. */
export class EventHandlersError extends AggregateError {
  constructor(
    errors: unknown[],
    readonly event: ArgusEvent,
  ) {
    super(errors, `${errors.length} handler(s) of ${event.name} failed`);
    this.name = 'EventHandlersError';
  }
}

/**
 * Runs the rows of a handler table that match an event, in table order (a row may rely on the
 * rows above it); every row runs even when one before it failed, and failures are collected into
 * one EventHandlersError. The table is fixed when the router is made.
 */
export class EventRouter {
  private readonly byName = new Map<EventName, HandlerEntry[]>();

  constructor(private readonly table: readonly HandlerEntry[]) {}

  /** The rows an event of `name` runs, in order. */
  handlersFor(name: EventName): readonly HandlerEntry[] {
    let rows = this.byName.get(name);
    if (!rows) this.byName.set(name, (rows = this.table.filter((row) => matches(row.on, name))));
    return rows;
  }

  async dispatch(event: ArgusEvent, ctx: HandlerContext): Promise<void> {
    const errors: unknown[] = [];
    for (const row of this.handlersFor(event.name)) {
      try {
        await row.handle(event, ctx);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new EventHandlersError(errors, event);
  }
}

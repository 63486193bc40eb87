import type { Logger } from '../logging/logger';
import type { ArgusEvent, EventName } from './event-map';

export interface HandlerContext {
  log: Logger;
  correlationId: string;
  /** How many times this event was tried before (0 on the first run). */
  attempt: number;
}

export type EventHandler<N extends EventName> = (event: ArgusEvent<N>, ctx: HandlerContext) => Promise<void>;

type AnyHandler = (event: ArgusEvent, ctx: HandlerContext) => Promise<void>;

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
 * One table: event name → handlers. `dispatch` runs the handlers of `a.b.c`, then of the prefix
 * `a.b`, then of `*`; failures are collected into one EventHandlersError.
 */
export class EventRouter {
  private readonly handlers = new Map<string, AnyHandler[]>();

  on<N extends EventName>(name: N | '*', handler: EventHandler<N>): this;
  on(name: string, handler: AnyHandler): this;
  on(name: string, handler: AnyHandler): this {
    const list = this.handlers.get(name) ?? [];
    list.push(handler);
    this.handlers.set(name, list);
    return this;
  }

  has(name: string): boolean {
    return this.handlersFor(name).length > 0;
  }

  private handlersFor(name: string): AnyHandler[] {
    const prefix = name.split('.').slice(0, -1).join('.');
    return [...(this.handlers.get(name) ?? []), ...(prefix ? (this.handlers.get(prefix) ?? []) : []), ...(this.handlers.get('*') ?? [])];
  }

  async dispatch(event: ArgusEvent, ctx: HandlerContext): Promise<void> {
    const errors: unknown[] = [];
    for (const handler of this.handlersFor(event.name)) {
      try {
        await handler(event, ctx);
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new EventHandlersError(errors, event);
  }
}

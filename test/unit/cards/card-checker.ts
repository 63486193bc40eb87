import type * as ACTypes from 'adaptivecards';
import { MAX_CARD_BYTES, measureCardBytes } from '../../../src/cards/size-guard';

// The package's `lib/` build is ES modules without "type": "module"; its UMD bundle loads in Node.
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof ACTypes;

/** Actions Argus cards may carry: Action.Submit is not used (Action.Execute carries a verb). */
const allowedActions = new Set(['Action.Execute', 'Action.ShowCard', 'Action.OpenUrl']);

function eventName(event: number): string {
  return AC.ValidationEvent[event] ?? String(event);
}

/** Registration of an action type in the library's GlobalRegistry (type → class + minimum version). */
export function registeredAction(typeName: string): { typeName: string; schemaVersion: string } | undefined {
  const found = AC.GlobalRegistry.actions.findByName(typeName);
  return found ? { typeName: found.typeName, schemaVersion: found.schemaVersion.toString() } : undefined;
}

/**
 * Parse events and validation failures of the official renderer. It targets card version 1.5 (what
 * Teams renders), so types and properties registered for later versions are reported too.
 */
export function officialProblems(json: unknown, targetVersion: '1.3' | '1.5' = '1.5'): string[] {
  const card = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(targetVersion === '1.5' ? AC.Versions.v1_5 : AC.Versions.v1_3);
  card.parse(json, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i += 1) {
    const e = ctx.getEventAt(i);
    problems.push(`parse ${eventName(e.event)}: ${e.message}`);
  }
  for (const e of card.validateProperties().validationEvents) {
    problems.push(`validate ${eventName(e.event)}: ${e.message}`);
  }
  return problems;
}

/** Argus's own rules on top: no unbound template expression, only allowed actions, verbs present. */
export function argusProblems(json: unknown, options: { allowDollarBraceIn?: string[] } = {}): string[] {
  const problems: string[] = [];
  const allowed = options.allowDollarBraceIn ?? [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      if (node.includes('${') && !allowed.some((a) => node.includes(a))) problems.push(`${path}: unbound template expression ${node}`);
      return;
    }
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const obj = node as Record<string, unknown>;
    for (const key of ['$when', '$data']) if (key in obj) problems.push(`${path}: template key ${key} left in the card`);
    if (typeof obj.type === 'string' && obj.type.startsWith('Action.')) {
      if (!allowedActions.has(obj.type)) problems.push(`${path}: action type ${obj.type} is not allowed`);
      if (obj.type === 'Action.Execute' && (typeof obj.verb !== 'string' || obj.verb === '')) problems.push(`${path}: Action.Execute without a verb`);
    }
    for (const [key, value] of Object.entries(obj)) walk(value, `${path}.${key}`);
  };
  walk(json, '$');
  const root = json as Record<string, unknown>;
  if (root.type !== 'AdaptiveCard' || root.version !== '1.5') problems.push('$: not an AdaptiveCard of version 1.5');
  const bytes = measureCardBytes(json);
  if (bytes > MAX_CARD_BYTES) problems.push(`$: ${bytes} bytes is over ${MAX_CARD_BYTES}`);
  return problems;
}

/** Every problem the official library or Argus's rules find; empty means the card is good. */
export function cardProblems(json: unknown, options: { allowDollarBraceIn?: string[] } = {}): string[] {
  return [...officialProblems(json), ...argusProblems(json, options)];
}

/** Every object in the card (depth first), for assertions about what it contains. */
export function allObjects(json: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) {
      out.push(node as Record<string, unknown>);
      Object.values(node).forEach(walk);
    }
  };
  walk(json);
  return out;
}

export function actionsOf(json: unknown): Record<string, unknown>[] {
  return allObjects(json).filter((o) => typeof o.type === 'string' && o.type.startsWith('Action.'));
}

/** All visible text of TextBlocks and facts, joined: for "the card says…" assertions. */
export function textOf(json: unknown): string {
  return allObjects(json)
    .flatMap((o) => [o.type === 'TextBlock' ? o.text : undefined, o.title, o.value].filter((v) => typeof v === 'string'))
    .join('\n');
}

import type * as ACTypes from 'adaptivecards';
import { builtinLayouts, withTrialLayout, type CardView } from '../cards/layouts';
import { MAX_CARD_BYTES, measureCardBytes } from '../cards/size-guard';
import { previewSamples, renderFunction } from '../cli/cards-preview/preview-samples';

/** Largest layout file read, in bytes: the biggest built-in template is a fraction of this. */
export const MAX_LAYOUT_BYTES = 256 * 1024;

/** Actions a layout may draw: Action.Submit is not used (Action.Execute carries a verb). */
const allowedActions = new Set(['Action.Execute', 'Action.ShowCard', 'Action.OpenUrl', 'Action.ToggleVisibility']);

type AdaptiveCards = typeof ACTypes;
let parser: AdaptiveCards | null | undefined;

/**
 * The official Adaptive Cards library (npm `adaptivecards`). Parsing and validation need no DOM:
 * only rendering to HTML does, and Argus never renders here. Its `lib/` build is ES modules
 * without "type": "module", so the UMD bundle is the one that loads in Node.
 */
function adaptiveCards(): AdaptiveCards | undefined {
  if (parser === undefined) {
    try {
      parser = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCards;
    } catch {
      parser = null;
    }
  }
  return parser ?? undefined;
}

/** Parse and validation events of the official parser for a card of version 1.5 (what Teams renders). */
function officialProblems(AC: AdaptiveCards, card: unknown): string[] {
  const parsed = new AC.AdaptiveCard();
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  parsed.parse(card, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i += 1) problems.push(`Adaptive Cards parser: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`Adaptive Cards validation: ${e.message}`);
  return problems;
}

function walk(node: unknown, visit: (obj: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((item) => walk(item, visit));
  else if (typeof node === 'object' && node !== null) {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((value) => walk(value, visit));
  }
}

function verbsOf(json: unknown): Set<string> {
  const verbs = new Set<string>();
  walk(json, (obj) => {
    if (obj.type === 'Action.Execute' && typeof obj.verb === 'string') verbs.add(obj.verb);
  });
  return verbs;
}

/** Argus's rules on a rendered card: every expression bound, known action types, under the size limit. */
function renderedProblems(card: unknown): string[] {
  const problems = new Set<string>();
  walk(card, (obj) => {
    for (const value of Object.values(obj)) if (typeof value === 'string' && value.includes('${')) problems.add(`an expression is left unbound: ${value.slice(0, 80)}`);
    if (typeof obj.type === 'string' && obj.type.startsWith('Action.') && !allowedActions.has(obj.type)) problems.add(`action type ${obj.type} is not allowed`);
  });
  const bytes = measureCardBytes(card);
  if (bytes > MAX_CARD_BYTES) problems.add(`the sample card is ${bytes} bytes, over ${MAX_CARD_BYTES}`);
  return [...problems];
}

export type LayoutCheck = { ok: true; json: object } | { ok: false; problem: string };

/**
 * Whether `text` may replace the built-in layout of `view`: it parses as JSON, is an AdaptiveCard
 * template that sends no verb the built-in one does not (the server checks every verb anyway),
 * renders the view's sample data, and the result passes the official parser and stays under 28 KB.
 */
export async function checkLayout(view: CardView, text: string): Promise<LayoutCheck> {
  const fail = (problem: string): LayoutCheck => ({ ok: false, problem });
  if (Buffer.byteLength(text, 'utf8') > MAX_LAYOUT_BYTES) return fail(`the file is over ${MAX_LAYOUT_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || (json as Record<string, unknown>).type !== 'AdaptiveCard')
    return fail('not an Adaptive Card: the top level needs "type": "AdaptiveCard"');
  const builtinVerbs = verbsOf(builtinLayouts[view]);
  const unknown = [...verbsOf(json)].filter((verb) => !builtinVerbs.has(verb));
  if (unknown.length) return fail(`sends verbs the ${view} card does not have: ${unknown.join(', ')}`);
  const AC = adaptiveCards();
  if (!AC) return fail('the Adaptive Cards parser (npm package adaptivecards) is not installed, so no layout can be checked');
  const sample = previewSamples().find((s) => s.name === view);
  const render = sample && (await renderFunction(sample));
  if (!sample || !render) return fail(`no sample data to try the ${view} layout with`);
  let card: unknown;
  try {
    card = withTrialLayout(view, json, () => render(sample.view));
  } catch (err) {
    return fail(`does not render the sample data: ${err instanceof Error ? err.message : String(err)}`);
  }
  const problems = [...officialProblems(AC, card), ...renderedProblems(card)];
  return problems.length ? fail(problems.slice(0, 3).join('; ')) : { ok: true, json };
}

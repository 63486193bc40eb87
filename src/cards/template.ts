import type * as ACData from 'adaptivecards-templating';
import { templating } from './templating';
import { expandLayout, viewOfTemplate } from './layouts';
import type { AdaptiveCardJson } from './views';

/**
 * A `$when` that is false on an object-valued property (e.g. the card's `refresh`) leaves `null`,
 * and hiding every button leaves `actions: []`. Neither means anything to a client, and some
 * clients are stricter than the reference parser, so both are removed.
 */
function prune(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(prune);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  const isCard = (node as Record<string, unknown>).type === 'AdaptiveCard';
  for (const [key, value] of Object.entries(node)) {
    if (value === null || value === undefined) continue;
    if (isCard && key === 'actions' && Array.isArray(value) && value.length === 0) continue;
    out[key] = prune(value);
  }
  return out;
}

/**
 * Expands an Adaptive Card template (cards/*.json) with `data` as `$root`. Parsing a template is
 * the costly part, so each one is prepared once and reused.
 *
 * Binding caveat: a `${field}` whose value is undefined stays in the output verbatim, so view data
 * builders fill every field the template names (tests assert no `${` survives).
 */
export function createCardTemplate<TData extends object>(json: object): (data: TData) => AdaptiveCardJson {
  let template: ACData.Template | undefined;
  // A layout from SharePoint may replace a built-in template (src/cards/layouts.ts).
  const view = viewOfTemplate(json);
  return (data) => {
    template ??= new (templating().Template)(json);
    const card = prune(expandLayout(view, template, data));
    if (typeof card !== 'object' || card === null || Array.isArray(card)) {
      throw new TypeError('an Adaptive Card template must expand to an object');
    }
    return card as AdaptiveCardJson;
  };
}

import type * as ACData from 'adaptivecards-templating';

let loaded: typeof ACData | undefined;

/**
 * adaptivecards-templating, loaded when the first card is expanded rather than at start: it and its
 * expression parser (adaptive-expressions, antlr4ts) take about a fifth of the service's start.
 */
export function templating(): typeof ACData {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('adaptivecards-templating') as typeof ACData);
}

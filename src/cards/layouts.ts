import type * as ACData from 'adaptivecards-templating';
import { templating } from './templating';
import approval from '../../cards/approval.json';
import escalationNotice from '../../cards/escalation-notice.json';
import help from '../../cards/help.json';
import incidentList from '../../cards/incident-list.json';
import incident from '../../cards/incident.json';
import notice from '../../cards/notice.json';
import playbookList from '../../cards/playbook-list.json';
import queryResult from '../../cards/query-result.json';
import ticketList from '../../cards/ticket-list.json';
import ticket from '../../cards/ticket.json';
import triageDigest from '../../cards/triage-digest.json';
import triage from '../../cards/triage.json';
import whoami from '../../cards/whoami.json';

/**
 * Card layouts: the built-in templates (cards/*.json, one per view, named as the file) and the
 * layouts that replace them at run time (docs/card-layouts.md). A replacement is installed only
 * after it was checked against the view's sample data; if it still fails on real data, the
 * built-in template renders that card and the replacement is dropped until the next sync.
 */
export const builtinLayouts = {
  approval,
  'escalation-notice': escalationNotice,
  help,
  'incident-list': incidentList,
  incident,
  notice,
  'playbook-list': playbookList,
  'query-result': queryResult,
  'ticket-list': ticketList,
  ticket,
  'triage-digest': triageDigest,
  triage,
  whoami,
} as const satisfies Record<string, object>;

export type CardView = keyof typeof builtinLayouts;
export const cardViews = Object.keys(builtinLayouts) as CardView[];

const viewByTemplate = new Map<object, CardView>(cardViews.map((view) => [builtinLayouts[view], view]));
const installed = new Map<CardView, { template: ACData.Template; tag: string }>();
const dropped = new Map<CardView, string>();
let trial: { view: CardView; template: ACData.Template } | undefined;

/** Which view a built-in template (the imported JSON object) draws, if it is one of cards/*.json. */
export function viewOfTemplate(json: object): CardView | undefined {
  return viewByTemplate.get(json);
}

/** Uses `layout` for `view` from now on (`tag` names its version, e.g. the ETag); undefined restores the built-in one. */
export function installLayout(view: CardView, layout: { json: object; tag: string } | undefined): void {
  dropped.delete(view);
  if (layout) installed.set(view, { template: new (templating().Template)(layout.json), tag: layout.tag });
  else installed.delete(view);
}

/** The tag of the replacement in use for `view`, if any. */
export function installedLayoutTag(view: CardView): string | undefined {
  return installed.get(view)?.tag;
}

/** Why the replacement of `view` was dropped while rendering (cleared by the next install). */
export function droppedLayoutReason(view: CardView): string | undefined {
  return dropped.get(view);
}

/**
 * Renders with `json` as the layout of `view` for the length of `render` (synchronous, so no other
 * card sees it). Errors of the layout propagate instead of falling back: this is how a layout is tried.
 */
export function withTrialLayout<T>(view: CardView, json: object, render: () => T): T {
  trial = { view, template: new (templating().Template)(json) };
  try {
    return render();
  } finally {
    trial = undefined;
  }
}

/** Expands the layout in use for `view` (a trial, a replacement, else `builtin`) with `data` as `$root`. */
export function expandLayout(view: CardView | undefined, builtin: ACData.Template, data: object): unknown {
  if (view && trial?.view === view) return trial.template.expand({ $root: data });
  const replacement = view && installed.get(view);
  if (!view || !replacement) return builtin.expand({ $root: data });
  try {
    return replacement.template.expand({ $root: data });
  } catch (err) {
    installed.delete(view);
    dropped.set(view, `failed on live data: ${err instanceof Error ? err.message : String(err)}`);
    return builtin.expand({ $root: data });
  }
}

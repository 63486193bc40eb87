import { cardViews, droppedLayoutReason, installLayout, type CardView } from '../cards/layouts';
import type { Logger } from '../logging/logger';
import type { DriveReader } from './drive-reader';
import { checkLayout, MAX_LAYOUT_BYTES } from './layout-check';

/** Where one view's layout comes from: the `argus cards sync --json` row (ARCHITECTURE §10). */
export interface LayoutStatus {
  view: CardView;
  source: 'sharepoint' | 'builtin';
  etag?: string;
  problem?: string;
}

export interface LayoutSync {
  /** Reads every view's file once; with `install`, what passed is used for cards from now on. */
  run(): Promise<LayoutStatus[]>;
  /** The result of the last run (every view built-in before the first). */
  statuses(): LayoutStatus[];
}

interface ViewState {
  status: LayoutStatus;
  /** The eTag last read, good or bad: a file that did not change is not read or checked again. */
  seenETag?: string;
  /** Why the last read failed (Graph refused or did not answer); cleared by the next answer. */
  outage?: string;
}

/** Why Graph refused, in words an operator can act on. */
function graphProblem(status: number, message: string): string {
  if (status === 401 || status === 403) return `Microsoft Graph refused (${status} ${message}): grant the app Sites.Selected (read) on the site (docs/card-layouts.md)`;
  return `Microsoft Graph answered ${status} (${message})`;
}

/**
 * Card layouts from SharePoint, one file per view (`incident.json`, …). A file is used only when
 * checkLayout passes; otherwise, or when the file is gone, the built-in layout is. When Graph does
 * not answer, whatever is in use stays in use (an outage changes no card), and the status says why.
 */
export function createLayoutSync(options: { reader: DriveReader; logger: Logger; install: boolean }): LayoutSync {
  const { reader, logger } = options;
  const states = new Map<CardView, ViewState>(cardViews.map((view) => [view, { status: { view, source: 'builtin' } }]));
  const use = (view: CardView, layout: { json: object; tag: string } | undefined) => {
    if (options.install) installLayout(view, layout);
  };

  async function syncView(view: CardView, state: ViewState): Promise<ViewState> {
    const dropped = state.status.source === 'sharepoint' ? droppedLayoutReason(view) : undefined;
    if (dropped) {
      logger.warn({ view, etag: state.seenETag, problem: dropped }, 'card layout from SharePoint dropped; the built-in layout is used');
      state = { status: { view, source: 'builtin', problem: dropped }, seenETag: state.seenETag };
    }
    let file;
    try {
      file = await reader.read(`${view}.json`, state.seenETag);
    } catch (err) {
      file = { kind: 'error' as const, status: 0, message: err instanceof Error ? err.message : String(err) };
    }
    switch (file.kind) {
      case 'unchanged':
        return { status: state.status, seenETag: state.seenETag };
      case 'missing':
        use(view, undefined);
        return { status: { view, source: 'builtin' } };
      case 'error': {
        const problem = file.status ? graphProblem(file.status, file.message) : `Microsoft Graph did not answer (${file.message})`;
        logger.warn({ view, problem }, 'could not read a card layout from SharePoint; the layout in use stays');
        return { ...state, outage: problem };
      }
      case 'file': {
        let problem: string | undefined;
        let json: object | undefined;
        if (file.size > MAX_LAYOUT_BYTES) problem = `the file is over ${MAX_LAYOUT_BYTES} bytes`;
        else {
          try {
            const checked = await checkLayout(view, await file.content());
            if (checked.ok) json = checked.json;
            else problem = checked.problem;
          } catch (err) {
            logger.warn({ view, err }, 'could not read a card layout from SharePoint; the layout in use stays');
            return { ...state, outage: `Microsoft Graph did not answer (${err instanceof Error ? err.message : String(err)})` };
          }
        }
        if (json) {
          use(view, { json, tag: file.eTag });
          logger.info({ view, etag: file.eTag }, 'card layout from SharePoint in use');
          return { status: { view, source: 'sharepoint', etag: file.eTag }, seenETag: file.eTag };
        }
        use(view, undefined);
        logger.warn({ view, etag: file.eTag, problem }, 'card layout from SharePoint rejected; the built-in layout is used');
        return { status: { view, source: 'builtin', etag: file.eTag, ...(problem ? { problem } : {}) }, seenETag: file.eTag };
      }
    }
  }

  return {
    async run() {
      // One view after the other: a dozen small reads every few minutes, and no burst to be throttled for.
      for (const view of cardViews) states.set(view, await syncView(view, states.get(view) ?? { status: { view, source: 'builtin' } }));
      return this.statuses();
    },
    statuses: () =>
      cardViews.map((view) => {
        const state = states.get(view);
        if (!state) return { view, source: 'builtin' };
        return state.outage ? { ...state.status, problem: `${state.outage}; kept the ${state.status.source} layout` } : state.status;
      }),
  };
}

import { roleAtLeast } from '../access/roles';
import type { IncidentCardDecorator } from '../incidents/card-publisher';
import type { QueryCatalog } from './catalog';
import { entityRef, investigateMenus, menuLabel } from './query-run';

/**
 * The Investigate menus of every incident card: one per entity (the same name once), listing the
 * catalog queries of its kind whose parameters it can fill. A viewer's own card (an invoke answer
 * or a refresh) lists only the queries their role may run; the shared card lists them all, and the
 * server checks the role again on every click. Without Log Analytics configured, no menu.
 */
export function investigateCardDecorator(deps: { catalog: QueryCatalog; configured: boolean }): IncidentCardDecorator {
  return async (record, viewer) => {
    if (!deps.configured || !viewer.role) return {};
    const { incident } = record;
    const seen = new Set<string>();
    const menus = investigateMenus(deps.catalog, incident, (q) => roleAtLeast(viewer.role, q.definition.requiredRole))
      .filter(({ entity }) => {
        const key = `${entity.kind}\u0000${entity.displayName.toLowerCase()}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map(({ entity, queries }) => ({
        entityName: entity.displayName,
        entityRef: entityRef(entity),
        queries: queries.map((q) => ({ queryId: q.definition.id, label: menuLabel(q) })),
      }));
    return menus.length ? { investigate: { menus } } : {};
  };
}

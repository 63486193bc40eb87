import whoamiTemplate from '../../cards/whoami.json';
import { atLevel, fitCard } from './size-guard';
import { createCardTemplate } from './template';
import { moreText, plain } from './text';
import type { AdaptiveCardJson, RenderOptions, WhoAmICardView } from './views';

const budgets = { reasons: [20, 10, 5, 2], reasonLength: [300, 200, 120, 80] } as const;

interface WhoAmICardData {
  fallbackText: string;
  name: string;
  denied: boolean;
  /** Shown instead of the reasons to someone not allowed to see how roles are granted. */
  detailsHidden: boolean;
  facts: { title: string; value: string }[];
  reasons: { enabled: boolean; items: string[]; more: { enabled: boolean; text: string } };
}

const expand = createCardTemplate<WhoAmICardData>(whoamiTemplate);

function buildData(view: WhoAmICardView, level: number): WhoAmICardData {
  const reasons = view.details?.reasons ?? [];
  const length = atLevel(budgets.reasonLength, level);
  const items = reasons.slice(0, atLevel(budgets.reasons, level)).map((r) => plain(r, length));
  const hidden = reasons.length - items.length;
  const name = plain(view.name, 120) || 'Unknown user';
  const role = view.role ?? 'none';
  const facts = [
    { title: 'Role', value: role },
    { title: 'All roles', value: view.roles.length ? view.roles.join(', ') : 'none' },
    { title: 'Tenant', value: plain(view.tenantId, 64) || 'unknown' },
  ];
  if (view.details)
    facts.push(
      { title: 'Federated', value: view.details.federated ? 'yes: another tenant, capped by the federation list' : 'no' },
      { title: 'Object id', value: plain(view.details.aadObjectId, 64) || 'unknown' },
    );
  return {
    fallbackText: `${name}: role ${role}`,
    name,
    denied: view.role === undefined,
    detailsHidden: view.details === undefined,
    facts,
    reasons: { enabled: reasons.length > 0, items, more: { enabled: hidden > 0, text: moreText(hidden) } },
  };
}

/** Who Argus thinks you are, your role, and (in `details`, for admins) why. */
export function renderWhoAmICard(view: WhoAmICardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard((level) => expand(buildData(view, level)), {
    card: 'whoami',
    levels: budgets.reasons.length,
    maxBytes: options.maxBytes,
  });
}

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
  facts: { title: string; value: string }[];
  reasons: { enabled: boolean; items: string[]; more: { enabled: boolean; text: string } };
}

const expand = createCardTemplate<WhoAmICardData>(whoamiTemplate);

function buildData(view: WhoAmICardView, level: number): WhoAmICardData {
  const length = atLevel(budgets.reasonLength, level);
  const items = view.reasons.slice(0, atLevel(budgets.reasons, level)).map((r) => plain(r, length));
  const hidden = view.reasons.length - items.length;
  const name = plain(view.name, 120) || 'Unknown user';
  const role = view.role ?? 'none';
  return {
    fallbackText: `${name}: role ${role}`,
    name,
    denied: view.role === undefined,
    facts: [
      { title: 'Role', value: role },
      { title: 'All roles', value: view.roles.length ? view.roles.join(', ') : 'none' },
      { title: 'Federated', value: view.federated ? 'yes: another tenant, capped by the federation list' : 'no' },
      { title: 'Object id', value: plain(view.aadObjectId, 64) || 'unknown' },
      { title: 'Tenant', value: plain(view.tenantId, 64) || 'unknown' },
    ],
    reasons: { enabled: view.reasons.length > 0, items, more: { enabled: hidden > 0, text: moreText(hidden) } },
  };
}

/** Who Argus thinks you are, your role, and why. */
export function renderWhoAmICard(view: WhoAmICardView, options: RenderOptions = {}): AdaptiveCardJson {
  return fitCard((level) => expand(buildData(view, level)), {
    card: 'whoami',
    levels: budgets.reasons.length,
    maxBytes: options.maxBytes,
  });
}

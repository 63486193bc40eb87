import { plain } from './text';

/** The incident's impact assessment and its form (drawn by section-impact). */
export interface ImpactSectionView {
  assessment?: {
    level: string;
    suggestedSeverity: string;
    rule: string;
    input: { financial: string; operational: string; reputational: string; regimes: string[]; affectedAssets: number; affectedUsers: number; downtimeMinutes: number };
    assessedBy: string;
  };
  /** Regimes chosen whose compliance clock may be started from here (not yet started). */
  clockRegimes: string[];
  /** Responders may assess (and start clocks). */
  canAssess: boolean;
}

/** Exactly the fields section-impact of cards/incident.json binds to; every one is always present. */
export interface ImpactSectionData {
  enabled: boolean;
  heading: string;
  assessed: boolean;
  summary: string;
  rule: string;
  hasClocks: boolean;
  clocks: { title: string; regime: string }[];
  canAssess: boolean;
  form: { financial: string; operational: string; reputational: string; regimes: string; affectedAssets: number; affectedUsers: number; downtimeMinutes: number };
}

const regimeTitles: Record<string, string> = { gdpr: 'GDPR', nis2: 'NIS2', dora: 'DORA', hipaa: 'HIPAA', pci: 'PCI DSS', sec: 'SEC' };
const blankForm: ImpactSectionData['form'] = { financial: 'none', operational: 'none', reputational: 'none', regimes: '', affectedAssets: 0, affectedUsers: 0, downtimeMinutes: 0 };

export function buildImpactSection(view: ImpactSectionView | undefined): ImpactSectionData {
  const a = view?.assessment;
  if (!view || (!a && !view.canAssess))
    return { enabled: false, heading: '', assessed: false, summary: '', rule: '', hasClocks: false, clocks: [], canAssess: false, form: blankForm };
  const i = a?.input;
  const regimes = i?.regimes.map((r) => regimeTitles[r] ?? r).join(', ');
  const clocks = view.canAssess ? view.clockRegimes.map((r) => ({ title: `Start ${regimeTitles[r] ?? r} clock`, regime: r })) : [];
  return {
    enabled: true,
    heading: a ? `💥 Impact · ${a.level} · suggests severity ${a.suggestedSeverity}` : '💥 Impact · not assessed',
    assessed: Boolean(a),
    summary: i
      ? `Financial ${i.financial} · operational ${i.operational} · reputational ${i.reputational} · ${i.affectedAssets} asset(s) · ${i.affectedUsers} user(s) · ${i.downtimeMinutes} min down${regimes ? ` · ${regimes}` : ''} · by ${plain(a.assessedBy, 60)}`
      : '',
    rule: a ? plain(a.rule, 300) : '',
    hasClocks: clocks.length > 0,
    clocks,
    canAssess: view.canAssess,
    form: i ? { ...i, regimes: i.regimes.join(',') } : blankForm,
  };
}

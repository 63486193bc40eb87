import { phaseTitles } from '../phases';
import { withoutIndicators } from './indicators';
import { entityCounts, milestoneLines, nextSteps, owner, stepProgress, timeLeft, when } from './report-format';
import type { ReportBlock, ReportData, ReportDocument, ReportSection } from './report-types';

/** Initial notification, status update and executive summary: reports for people outside the SOC. */

const heading = (d: ReportData) => `Incident #${d.incident.number}: ${d.incident.title}`;

function overview(d: ReportData): ReportBlock {
  return {
    kind: 'facts',
    facts: [
      ['Incident', `#${d.incident.number}`],
      ['Severity', d.incident.severity],
      ['Status', d.incident.status],
      ['Response phase', phaseTitles[d.phase]],
      ['Owner', owner(d)],
      ['Detected', when(d.incident.createdTimeUtc ?? d.incident.firstActivityTimeUtc)],
      ...(d.ticket ? ([['ITSM ticket', `${d.ticket.number} (${d.ticket.statusLabel})`]] as Array<[string, string]>) : []),
    ],
  };
}

function deadlines(d: ReportData, now: number): ReportSection {
  const open = milestoneLines(d.clocks, now).filter((m) => m.status !== 'met');
  return {
    heading: 'Regulatory deadlines',
    blocks: [
      open.length
        ? { kind: 'list', items: open.map((m) => `${m.regime} — ${m.title}: due ${when(m.dueAt)} (${timeLeft(m.dueAt, now)})`) }
        : { kind: 'paragraph', text: d.clocks.length ? 'Every regulatory notification has been made.' : 'No regulatory clock is running.' },
    ],
  };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const listOr = (items: string[], empty: string): ReportBlock => (items.length ? { kind: 'list', items } : { kind: 'paragraph', text: empty });

export function initialReport(d: ReportData): ReportDocument {
  const now = Date.parse(d.generatedAt);
  const tactics = d.incident.tactics.length ? d.incident.tactics.join(', ') : 'none named yet';
  return {
    type: 'initial',
    title: 'Initial notification',
    subtitle: heading(d),
    generatedAt: d.generatedAt,
    summary: `Initial notification for #${d.incident.number} (${d.incident.severity}), ${phaseTitles[d.phase]}.`,
    sections: [
      { heading: 'Overview', blocks: [overview(d)] },
      {
        heading: 'What we know',
        blocks: [
          { kind: 'paragraph', text: d.incident.description?.trim() || 'No description yet.' },
          { kind: 'paragraph', text: `Alerts: ${d.incident.alertCount} from ${d.incident.alertProducts.join(', ') || 'unnamed sources'}. ATT&CK tactics: ${tactics}.` },
          { kind: 'paragraph', text: `Affected: ${entityCounts(d.incident.entities)}.` },
        ],
      },
      { heading: 'Next steps', blocks: [listOr(nextSteps(d), stepProgress(d))] },
      deadlines(d, now),
    ],
  };
}

export function statusReport(d: ReportData): ReportDocument {
  const now = Date.parse(d.generatedAt);
  const done = (d.plan?.steps ?? []).filter((s) => s.status === 'done' || s.status === 'skipped');
  return {
    type: 'status',
    title: 'Status update',
    subtitle: heading(d),
    generatedAt: d.generatedAt,
    summary: `Status of #${d.incident.number}: ${phaseTitles[d.phase]} since ${when(d.phaseSince)}. ${stepProgress(d)}`,
    sections: [
      { heading: 'Where we are', blocks: [overview(d), { kind: 'paragraph', text: `In ${phaseTitles[d.phase]} since ${when(d.phaseSince)}. ${stepProgress(d)}` }] },
      { heading: 'Done so far', blocks: [listOr(done.map((s) => `${s.title} — ${s.status}${s.by ? ` by ${s.by}` : ''}${s.doneAt ? `, ${when(s.doneAt)}` : ''}`), 'No step is done yet.')] },
      { heading: 'Automated actions', blocks: [listOr(d.runs.map((r) => `${r.playbookTitle}: ${r.status} (${when(r.requestedAt)})`), 'No playbook has run.')] },
      { heading: 'Evidence', blocks: [{ kind: 'paragraph', text: `${d.evidence.length} evidence item${d.evidence.length === 1 ? '' : 's'} registered with a chain of custody.` }] },
      { heading: 'Next steps', blocks: [listOr(nextSteps(d), 'No open step in this phase.')] },
      deadlines(d, now),
    ],
  };
}

const financialWords: Record<string, string> = {
  none: 'no financial loss expected',
  'lt-10k': 'a financial impact under 10,000',
  '10k-100k': 'a financial impact between 10,000 and 100,000',
  '100k-1m': 'a financial impact between 100,000 and 1 million',
  'gt-1m': 'a financial impact above 1 million',
};

function impactText(d: ReportData): string {
  const i = d.impact;
  if (!i) return 'The business impact has not been assessed yet.';
  const { input } = i;
  const parts = [
    `The impact is assessed as ${i.level}`,
    `with ${financialWords[input.financial] ?? input.financial}`,
    `${input.operational === 'none' ? 'no' : input.operational} operational disruption`,
    `${input.reputational === 'none' ? 'no' : input.reputational} reputational risk`,
  ];
  const scale = `Affected: ${plural(input.affectedUsers, 'person', 'people')} and ${plural(input.affectedAssets, 'system', 'systems')}${input.downtimeMinutes ? `, with ${input.downtimeMinutes} minutes of downtime` : ''}.`;
  return `${parts.join(', ')}. ${scale}`;
}

/** What leadership is asked to decide, derived from the incident's state. */
export function decisionsNeeded(d: ReportData): string[] {
  const now = Date.parse(d.generatedAt);
  const out: string[] = [];
  for (const m of milestoneLines(d.clocks, now).filter((x) => x.status !== 'met'))
    out.push(`Approve the ${m.regime} notification "${m.title}" before ${when(m.dueAt)} (${timeLeft(m.dueAt, now)}).`);
  for (const r of d.runs.filter((x) => x.status === 'awaiting-approval')) out.push(`Approve or reject the containment action "${r.playbookTitle}".`);
  if (d.impact && d.impact.suggestedSeverity !== d.incident.severity)
    out.push(`Confirm the severity: the assessed impact suggests ${d.impact.suggestedSeverity}, the incident is rated ${d.incident.severity}.`);
  if (d.impact?.input.regimes.length && d.clocks.length === 0)
    out.push(`Decide whether to notify under ${d.impact.input.regimes.map((r) => r.toUpperCase()).join(', ')}: no notification clock is running.`);
  if (!d.impact && d.phase !== 'detection' && d.phase !== 'closed') out.push('Ask for an impact assessment: none has been made.');
  return out;
}

export function executiveReport(d: ReportData): ReportDocument {
  const now = Date.parse(d.generatedAt);
  const i = d.incident;
  const decisions = decisionsNeeded(d);
  const met = milestoneLines(d.clocks, now).filter((m) => m.status === 'met');
  const doc: ReportDocument = {
    type: 'executive',
    title: 'Executive summary',
    subtitle: `Security incident #${i.number}`,
    generatedAt: d.generatedAt,
    summary: `${i.severity} incident #${i.number}, ${phaseTitles[d.phase].toLowerCase()}. ${decisions.length ? `${decisions.length} decision(s) needed.` : 'No decision needed now.'}`,
    sections: [
      {
        heading: 'What happened',
        blocks: [
          {
            kind: 'paragraph',
            text: `On ${when(i.createdTimeUtc ?? i.firstActivityTimeUtc)} our security monitoring raised "${i.title}". It is rated ${i.severity} and the response is in the ${phaseTitles[d.phase].toLowerCase()} phase. The incident involves ${entityCounts(i.entities)}.`,
          },
        ],
      },
      { heading: 'Business impact', blocks: [{ kind: 'paragraph', text: impactText(d) }] },
      {
        heading: 'What we have done',
        blocks: [
          { kind: 'paragraph', text: `${stepProgress(d)} ${plural(d.runs.filter((r) => r.status === 'succeeded').length, 'automated action', 'automated actions')} completed; ${plural(d.evidence.length, 'evidence item', 'evidence items')} preserved.` },
          ...(met.length ? [{ kind: 'list' as const, items: met.map((m) => `${m.regime} ${m.title}: made ${when(m.metAt)}`) }] : []),
        ],
      },
      { heading: 'Decisions needed', blocks: [listOr(decisions, 'No decision is needed from leadership at this time.')] },
      deadlines(d, now),
    ],
  };
  return scrubbed(doc);
}

/** The document with every raw indicator withheld, wherever it came from. */
export function scrubbed(doc: ReportDocument): ReportDocument {
  const s = withoutIndicators;
  const block = (b: ReportBlock): ReportBlock => {
    switch (b.kind) {
      case 'paragraph':
        return { kind: 'paragraph', text: s(b.text) };
      case 'list':
        return { kind: 'list', items: b.items.map(s) };
      case 'facts':
        return { kind: 'facts', facts: b.facts.map(([k, v]) => [s(k), s(v)]) };
      case 'table':
        return { kind: 'table', columns: b.columns.map(s), rows: b.rows.map((r) => r.map(s)) };
    }
  };
  return { ...doc, title: s(doc.title), subtitle: s(doc.subtitle), summary: s(doc.summary), sections: doc.sections.map((x) => ({ heading: s(x.heading), blocks: x.blocks.map(block) })) };
}

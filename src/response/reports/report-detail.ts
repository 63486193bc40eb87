import { findTechnique } from '../attack';
import { describeMs } from '../card-section';
import { phaseTitles } from '../phases';
import { milestoneLines, owner, when } from './report-format';
import type { ReportBlock, ReportData, ReportDocument } from './report-types';

/** Technical analysis, compliance report and post-mortem: reports for the SOC, auditors and the organisation's memory. */

const heading = (d: ReportData) => `Incident #${d.incident.number}: ${d.incident.title}`;
const tableOr = (columns: string[], rows: string[][], empty: string): ReportBlock => (rows.length ? { kind: 'table', columns, rows } : { kind: 'paragraph', text: empty });

function propertySummary(props: Record<string, unknown>): string {
  return Object.entries(props)
    .filter(([k, v]) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && k !== 'friendlyName')
    .slice(0, 4)
    .map(([k, v]) => `${k}=${String(v).slice(0, 80)}`)
    .join('; ');
}

export function technicalReport(d: ReportData): ReportDocument {
  const i = d.incident;
  const techniques = i.techniques.map((t) => {
    const known = findTechnique(t);
    return known ? `${known.id} ${known.name}` : t;
  });
  return {
    type: 'technical',
    title: 'Technical analysis',
    subtitle: heading(d),
    generatedAt: d.generatedAt,
    summary: `Technical analysis of #${i.number}: ${d.timeline.length} timeline entries, ${i.entities.length} entities, ${d.evidence.length} evidence items, ${d.runs.length} playbook runs, ${d.queries.length} queries.`,
    sections: [
      {
        heading: 'Overview',
        blocks: [
          {
            kind: 'facts',
            facts: [
              ['Incident', `#${i.number} (${i.name})`],
              ['Severity / status', `${i.severity} / ${i.status}`],
              ['Phase', phaseTitles[d.phase]],
              ['Owner', owner(d)],
              ['Alerts', `${i.alertCount} from ${i.alertProducts.join(', ') || '—'}`],
              ['First / last activity', `${when(i.firstActivityTimeUtc)} / ${when(i.lastActivityTimeUtc)}`],
              ['ATT&CK tactics', i.tactics.join(', ') || '—'],
              ['ATT&CK techniques', techniques.join(', ') || '—'],
            ],
          },
          ...(i.description ? [{ kind: 'paragraph' as const, text: i.description }] : []),
        ],
      },
      {
        heading: 'Timeline',
        blocks: [
          tableOr(
            ['Time', 'Kind', 'What', 'Who', 'ATT&CK'],
            d.timeline.map((e) => [when(e.at), e.kind, e.title, e.actor ?? '', [e.tactic, e.technique && `${e.technique} ${e.techniqueName ?? ''}`.trim()].filter(Boolean).join(' · ')]),
            'Nothing recorded yet.',
          ),
        ],
      },
      {
        heading: 'Entities and indicators',
        blocks: [tableOr(['Kind', 'Value', 'Properties'], i.entities.map((e) => [e.kind, e.displayName, propertySummary(e.properties)]), 'No entities.')],
      },
      {
        heading: 'Evidence and custody',
        blocks: [
          tableOr(
            ['Evidence', 'File', 'SHA-256', 'Size', 'Custodian', 'Custody'],
            d.evidence.map((e) => [
              e.evidenceId,
              e.filename,
              e.sha256,
              `${e.size} B`,
              e.custodian,
              `${e.custodyEntries} entr${e.custodyEntries === 1 ? 'y' : 'ies'}${e.lastCustody ? `; last ${e.lastCustody.action} by ${e.lastCustody.by}, ${when(e.lastCustody.at)}` : ''}`,
            ]),
            'No evidence registered.',
          ),
        ],
      },
      {
        heading: 'Playbook runs',
        blocks: [
          tableOr(
            ['Playbook', 'Target', 'Status', 'Requested', 'Finished', 'Message'],
            d.runs.map((r) => [r.playbookTitle, r.entity ? `${r.entity.kind} ${r.entity.displayName}` : 'incident', r.status, `${when(r.requestedAt)} by ${r.requestedBy.name ?? '—'}`, when(r.finishedAt), r.message ?? '']),
            'No playbook has run.',
          ),
        ],
      },
      {
        heading: 'Queries',
        blocks: [
          tableOr(
            ['Time', 'By', 'Query', 'Entity', 'Rows'],
            d.queries.map((q) => {
              const det = q.detail;
              const entity = det.entity && typeof det.entity === 'object' ? (det.entity as { kind?: string; name?: string }) : undefined;
              const query = typeof det.queryId === 'string' ? det.queryId : typeof det.kql === 'string' ? det.kql : q.action;
              return [when(q.at), q.actorName, query, entity ? `${entity.kind ?? ''} ${entity.name ?? ''}`.trim() : '', String(det.rowCount ?? '')];
            }),
            'No investigation query was run.',
          ),
        ],
      },
    ],
  };
}

export function complianceReport(d: ReportData): ReportDocument {
  const now = Date.parse(d.generatedAt);
  const lines = milestoneLines(d.clocks, now);
  const flagged = d.impact?.input.regimes ?? [];
  const regimes = [...new Set([...d.clocks.map((c) => c.regime.toUpperCase()), ...flagged.map((r) => r.toUpperCase())])];
  return {
    type: 'compliance',
    title: 'Compliance report',
    subtitle: heading(d),
    generatedAt: d.generatedAt,
    summary: `Compliance of #${d.incident.number}: ${regimes.join(', ') || 'no regime'}; ${lines.filter((l) => l.status === 'met').length} of ${lines.length} milestones met.`,
    sections: [
      { heading: 'Regimes', blocks: [{ kind: 'paragraph', text: regimes.length ? `The incident falls under ${regimes.join(', ')}.` : 'The incident is not flagged under any regulatory regime.' }] },
      {
        heading: 'Awareness',
        blocks: [
          tableOr(
            ['Regime', 'Aware at', 'Why this time', 'Clock started'],
            d.clocks.map((c) => [c.regime.toUpperCase(), when(c.awareAt), c.awareReason ?? 'when the clock was started', `${when(c.startedAt)} by ${c.startedBy.name ?? '—'}`]),
            'No clock was started.',
          ),
        ],
      },
      {
        heading: 'Milestones',
        blocks: [
          tableOr(
            ['Regime', 'Milestone', 'Legal source', 'Due', 'Status', 'Met', 'Reference'],
            lines.map((l) => [l.regime, l.title, l.source, when(l.dueAt), l.status, l.metAt ? `${when(l.metAt)} by ${l.metBy ?? '—'}` : '—', l.reference ?? '']),
            'No milestone.',
          ),
        ],
      },
    ],
  };
}

function phaseDurations(d: ReportData): string[] {
  const h = d.phaseHistory;
  return h.map((e, n) => {
    const end = h[n + 1]?.at ?? (e.phase === 'closed' ? undefined : d.generatedAt);
    return `${phaseTitles[e.phase]}: from ${when(e.at)}${end ? `, ${describeMs(Math.max(0, Date.parse(end) - Date.parse(e.at)))}` : ''}`;
  });
}

export function postMortemReport(d: ReportData): ReportDocument {
  const pm = d.postMortem;
  const base = { type: 'postmortem' as const, title: 'Post-mortem', subtitle: heading(d), generatedAt: d.generatedAt };
  if (!pm) return { ...base, summary: `No post-mortem of #${d.incident.number} yet.`, sections: [{ heading: 'Post-mortem', blocks: [{ kind: 'paragraph', text: 'No post-mortem has been written yet.' }] }] };
  const text = (t: string): ReportBlock => ({ kind: 'paragraph', text: t || '—' });
  return {
    ...base,
    summary: `Post-mortem of #${d.incident.number} (${pm.status}): ${pm.preventionActions.length} prevention action(s), ${pm.detectionGaps.length} detection gap(s).`,
    sections: [
      {
        heading: 'Status',
        blocks: [
          {
            kind: 'facts',
            facts: [
              ['Status', pm.status],
              ['Last saved', `${when(pm.savedAt)} by ${pm.savedBy || '—'}`],
              ['Completed', pm.completedAt ? `${when(pm.completedAt)} by ${pm.completedBy ?? '—'}` : '—'],
              ['Severity', d.incident.severity],
            ],
          },
        ],
      },
      { heading: 'Summary', blocks: [text(pm.summary)] },
      { heading: 'Root cause', blocks: [text(pm.rootCause)] },
      { heading: 'Contributing factors', blocks: [text(pm.contributingFactors)] },
      { heading: 'Lessons learned', blocks: [text(pm.lessonsLearned)] },
      { heading: 'Prevention actions', blocks: [pm.preventionActions.length ? { kind: 'list', items: pm.preventionActions } : text('')] },
      {
        heading: 'Detection gaps',
        blocks: [pm.detectionGaps.length ? { kind: 'list', items: pm.detectionGaps.map((g) => (g.sigmaRule ? `Sigma rule to write: ${g.sigmaRule}` : g.text)) } : text('')],
      },
      { heading: 'Time in each phase', blocks: [phaseDurations(d).length ? { kind: 'list', items: phaseDurations(d) } : text('')] },
    ],
  };
}

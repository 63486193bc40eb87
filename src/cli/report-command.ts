import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { timelinePorts } from '../app/compose-timeline';
import { TableAuditLog } from '../audit/table-audit-log';
import { ArgusError } from '../errors/catalog';
import { TableIncidentRepository } from '../incidents/incident-repository';
import { gatherReportData, tableReportSources } from '../response/reports/report-sources';
import { renderReport } from '../response/reports/report-render';
import { isReportFormat, isReportType, reportFormats, reportTypes } from '../response/reports/report-types';
import { tableNames } from '../storage/table-store';
import type { CliCommand } from './command';
import { incidentNumber, parseCli, withTables } from './incident-command';

const usage = `argus report <number> --type ${reportTypes.join('|')} --format ${reportFormats.join('|')} [--out FILE]`;

const tables = [tableNames.incidents, tableNames.response, tableNames.evidence, tableNames.clocks, tableNames.playbookRuns, tableNames.tickets, tableNames.alerts, tableNames.audit];

/**
 * `argus report`: one report of an incident, generated from what Argus holds (ARCHITECTURE §9).
 * Without --out, Markdown and HTML go to stdout; a PDF needs --out (binary on a terminal helps no one).
 */
export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'Write a report of an incident (initial, status, executive, technical, compliance, post-mortem) as md, html or pdf',
  usage,
  async run(args, io) {
    const { values, positionals } = parseCli(args, { type: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } }, usage);
    const number = incidentNumber(positionals, usage);
    if (!isReportType(values.type)) throw new ArgusError('ARGUS_BAD_REQUEST', `--type must be one of ${reportTypes.join(', ')}\nusage: ${usage}`);
    const format = values.format ?? 'md';
    if (!isReportFormat(format)) throw new ArgusError('ARGUS_BAD_REQUEST', `--format must be one of ${reportFormats.join(', ')}\nusage: ${usage}`);
    if (format === 'pdf' && !values.out) throw new ArgusError('ARGUS_BAD_REQUEST', `a PDF needs --out FILE\nusage: ${usage}`);
    const type = values.type;
    const rendered = await withTables(io, tables, async (store) => {
      const record = await new TableIncidentRepository(store.client(tableNames.incidents)).findByNumber(number);
      if (!record) throw new ArgusError('ARGUS_NOT_FOUND', `Argus does not know incident #${number}`);
      const audit = new TableAuditLog({ client: store.client(tableNames.audit) });
      const data = await gatherReportData(tableReportSources(store, audit, timelinePorts(store, audit)), record.incident.name, new Date());
      if (!data) throw new ArgusError('ARGUS_NOT_FOUND', `Argus does not know incident #${number}`);
      return renderReport(type, format, data);
    });
    if (values.out) {
      const path = resolve(io.cwd, values.out);
      writeFileSync(path, rendered.content);
      io.stderr.write(`wrote ${rendered.document.title} of incident #${number} to ${path}\n`);
    } else io.stdout.write(rendered.content);
    return 0;
  },
};

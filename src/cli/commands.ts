import { alertsCommand } from './alerts-command';
import { auditCommand } from './audit-command';
import { cardsPreviewCommand } from './cards-preview-command';
import { cardsCommand } from './cards-command';
import { clocksCommand } from './clocks-command';
import { evidenceCommand } from './evidence-command';
import type { CliCommand } from './command';
import { demoCommand } from './demo-command';
import { doctorCommand } from './doctor-command';
import { eventsCommand } from './events-command';
import { detectCommand } from './detect-command';
import { incidentCommand } from './incident-command';
import { ingestCommand } from './ingest-command';
import { intelCommand } from './intel-command';
import { rulesCommand } from './rules-command';
import { reportCommand } from './report-command';
import { packageCommand } from './package-command';
import { playgroundCommand } from './playground-command';
import { sendSampleCommand } from './send-sample-command';
import { serveCommand } from './serve-command';

/** Every `argus` command, in the order `argus help` lists them. */
export const commands: CliCommand[] = [serveCommand, sendSampleCommand, auditCommand, eventsCommand, doctorCommand, packageCommand, detectCommand, ingestCommand, rulesCommand, alertsCommand, intelCommand, incidentCommand, reportCommand, clocksCommand, evidenceCommand, playgroundCommand, demoCommand, cardsCommand, cardsPreviewCommand];

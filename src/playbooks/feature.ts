import type { FeatureParts } from '../app/feature';
import type { FileConfig } from '../config/file-schema';
import { secretNames } from '../config/secret-provider';
import type { EventHandler } from '../events/router';
import type { CardPublisher } from '../incidents/card-publisher';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import { playbookCardDecorator } from './card-section';
import { playbookCallbackSpec } from './callback-webhook';
import { loadPlaybookCatalog } from './catalog';
import { deadlineSweeper } from './deadline-sweeper';
import { parseIsoDuration } from './duration';
import { playbookActions } from './playbook-actions';
import { playbookCommands } from './playbook-commands';
import type { RunDeps } from './run-context';
import { playbookRunPort, type PlaybookRunPort } from './run-port';
import { checkDeadline, reportRun, sweepRuns, triggerRun } from './run-lifecycle';
import { notifyRunChanged, type RunNotifierDeps } from './run-notifier';

export const callbackPath = '/api/webhooks/playbooks';

export interface PlaybooksDeps extends Omit<RunDeps, 'catalog' | 'tenantId' | 'callbackUrl'> {
  incidents: Pick<IncidentRepository, 'get' | 'findByNumber'>;
  file: Pick<FileConfig, 'playbooks' | 'sentinel' | 'publicUrl' | 'tenantId'>;
  /** The playbooks folder, resolved against the config file's folder. */
  catalogDir: string;
  publisher: Pick<CardPublisher, 'render'> & RunNotifierDeps['publisher'];
  /** How a run's changes reach Teams: incident card threads and approvers' chats. */
  notify: Omit<RunNotifierDeps, 'runs' | 'catalog' | 'logger' | 'publisher'>;
  /** Whether Logic Apps can authenticate their reports (a callback secret, or an allowed Entra caller). */
  callbackAuthenticated(): Promise<boolean>;
  logger: Logger;
}

export interface PlaybooksFeature extends FeatureParts {
  /** Runs requested by other features (response plan steps), through the card button's own path. */
  runs: PlaybookRunPort;
  handlers: {
    /** Start a run on Sentinel or its Logic App. */
    trigger: EventHandler<'playbook.run.requested'>;
    /** Tell the run's change in the incident card thread and to its approvers. */
    notify: EventHandler<'playbook.run.changed'>;
    /** Apply a Logic App's report to its run. */
    applyReport: EventHandler<'playbook.run.reported'>;
    /** Time out a run or an approval whose deadline passed. */
    checkDeadline: EventHandler<'playbook.run.deadline'>;
  };
}

/** Playbooks: the catalog, card buttons and approvals, runs on Sentinel or Logic Apps, their callbacks. */
export async function createPlaybooksFeature(d: PlaybooksDeps): Promise<PlaybooksFeature> {
  const { file } = d;
  const catalog = loadPlaybookCatalog({ dir: d.catalogDir, sentinel: file.sentinel, publicUrl: file.publicUrl, logger: d.logger });
  const run: RunDeps = {
    ...d,
    catalog,
    tenantId: file.tenantId,
    callbackUrl: file.publicUrl ? `${file.publicUrl.replace(/\/+$/, '')}${callbackPath}` : undefined,
  };
  const notifier: RunNotifierDeps = { ...d.notify, runs: d.runs, catalog, publisher: d.publisher, logger: d.logger };

  // Without a way to authenticate callbacks every report is refused, and every run times out.
  if (catalog.available().length && !(await d.callbackAuthenticated()))
    d.logger.warn({ secret: secretNames.playbookCallback }, 'no playbook callback secret and no webhookAuth.entra caller allowed on the playbooks route: Logic Apps cannot report results, so runs will time out');

  return {
    runs: playbookRunPort(run),
    handlers: {
      trigger: (event) => triggerRun(run, event.payload),
      notify: (event) => notifyRunChanged(notifier, event.payload),
      applyReport: (event, hctx) => reportRun(run, event.payload, hctx.correlationId),
      checkDeadline: (event) => checkDeadline(run, event.payload),
    },
    webhooks: [{ route: 'playbooks', spec: playbookCallbackSpec(secretNames.playbookCallback) }],
    actions: playbookActions({ run, catalog, publisher: d.publisher }),
    commands: playbookCommands({ catalog, incidents: d.incidents }),
    cardSections: [playbookCardDecorator({ catalog, runs: d.runs })],
    background: [deadlineSweeper({ intervalMs: parseIsoDuration(file.playbooks.sweepInterval) ?? 15_000, sweep: () => sweepRuns(run), logger: d.logger })],
  };
}

import { dirname, resolve } from 'node:path';
import type { Feature } from '../app/context';
import { secretNames } from '../config/secret-provider';
import { entraCallerAllowed } from '../config/file-schema';
import { CardStore } from '../incidents/card-store';
import { createWebhookHandler } from '../ingress/webhook-handler';
import { tableNames } from '../storage/table-store';
import { approverChats } from './approver-chats';
import { playbookCardDecorator } from './card-section';
import { playbookCallbackSpec } from './callback-webhook';
import { loadPlaybookCatalog } from './catalog';
import { startSweeper } from './deadline-sweeper';
import { parseIsoDuration } from './duration';
import { createHttpRunner } from './http-runner';
import { registerPlaybookActions } from './playbook-actions';
import { registerPlaybookCommands } from './playbook-commands';
import { createPlaybookRunner } from './runner';
import type { RunDeps } from './run-context';
import { checkDeadline, reportRun, sweepRuns, triggerRun } from './run-lifecycle';
import { notifyRunChanged } from './run-notifier';
import { PlaybookRunStore } from './run-store';
import { createSentinelRunner } from './sentinel-runner';

export const callbackPath = '/api/webhooks/playbooks';

/** Playbooks: the catalog, card buttons and approvals, runs on Sentinel or Logic Apps, their callbacks. */
export const playbooksFeature: Feature = {
  name: 'playbooks',
  tables: [tableNames.playbookRuns],
  async register(ctx) {
    const file = ctx.config.file;
    const settings = file.playbooks;
    const logger = ctx.logger.child({ feature: 'playbooks' });
    // A relative folder is read from where the config file is (or the working directory without one).
    const dir = resolve(ctx.config.configPath ? dirname(ctx.config.configPath) : '.', settings.dir);
    const catalog = loadPlaybookCatalog({ dir, sentinel: file.sentinel, publicUrl: file.publicUrl, logger });
    const runs = new PlaybookRunStore(ctx.store.client(tableNames.playbookRuns));
    const runner = createPlaybookRunner({
      sentinel: createSentinelRunner({ sentinel: ctx.sentinel, tenantId: file.tenantId }),
      http: createHttpRunner({ secrets: ctx.secrets, attempts: settings.triggerAttempts, baseDelayMs: parseIsoDuration(settings.retryBaseDelay), log: logger }),
    });
    const deps: RunDeps = {
      catalog,
      runs,
      incidents: ctx.incidents,
      runner,
      audit: ctx.audit,
      intake: ctx.intake,
      tenantId: file.tenantId,
      callbackUrl: file.publicUrl ? `${file.publicUrl.replace(/\/+$/, '')}${callbackPath}` : undefined,
      logger,
    };

    ctx.publisher.decorate(playbookCardDecorator({ catalog, runs }));
    registerPlaybookActions(ctx.registry, { run: deps, catalog, publisher: ctx.publisher });
    registerPlaybookCommands(ctx.registry, { catalog, incidents: ctx.incidents });

    const notifier = {
      runs,
      catalog,
      cards: new CardStore(ctx.store.client(tableNames.cards)),
      delivery: ctx.delivery,
      publisher: ctx.publisher,
      approverChats: (run: Parameters<typeof approverChats>[0]['run']) =>
        approverChats({ conversations: ctx.store.client(tableNames.conversations), roles: ctx.roles, tenantId: file.tenantId, run, logger }),
      logger,
    };
    ctx.router.on('playbook.run.requested', (event) => triggerRun(deps, event.payload));
    ctx.router.on('playbook.run.changed', (event) => notifyRunChanged(notifier, event.payload));
    ctx.router.on('playbook.run.reported', (event, hctx) => reportRun(deps, event.payload, hctx.correlationId));
    ctx.router.on('playbook.run.deadline', (event) => checkDeadline(deps, event.payload));

    ctx.routes.push({ method: 'POST', path: callbackPath, readsBody: true, handler: createWebhookHandler(playbookCallbackSpec(secretNames.playbookCallback), ctx.webhookDeps) });

    // Without a way to authenticate callbacks every report is refused, and every run times out.
    if (catalog.available().length && !entraCallerAllowed(file, 'playbooks') && !(await ctx.secrets.get(secretNames.playbookCallback)))
      logger.warn({ secret: secretNames.playbookCallback }, 'no playbook callback secret and no webhookAuth.entra caller allowed on the playbooks route: Logic Apps cannot report results, so runs will time out');

    const sweeper = startSweeper({ intervalMs: parseIsoDuration(settings.sweepInterval) ?? 15_000, sweep: () => sweepRuns(deps), logger });
    ctx.onStop(() => sweeper.stop());
  },
};

import { parseArgs } from 'node:util';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { layoutCheck } from '../app/compose-cards';
import { cardViews } from '../cards/layouts';
import { loadConfig } from '../config/load-config';
import type { LayoutStatus } from '../layouts/layout-sync';
import { createLogger } from '../logging/logger';
import { withSubcommands, writeLine, type CliIO } from './command';

/**
 * `argus cards sync [--json]`: reads the layouts folder once, checks each file as the service
 * would, and prints where each view's layout comes from. Nothing in use changes (the service reads
 * again every `refresh`). Exit 1 when any view has a problem.
 */
async function sync(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true });
  const config = loadConfig(io.env, { cwd: io.cwd });
  let credential: TokenCredential | undefined;
  const check = layoutCheck(config, () => (credential ??= new DefaultAzureCredential()), createLogger({ level: 'silent' }));
  const statuses: LayoutStatus[] = check ? await check.sync.run() : cardViews.map((view) => ({ view, source: 'builtin' }));
  if (values.json) writeLine(io.stdout, JSON.stringify(statuses, null, 2));
  else {
    const where = check ? `${check.settings.driveId ? `drive ${check.settings.driveId}` : `site ${check.settings.siteId}`}, folder ${check.settings.folder}` : 'cards.sharePoint is not configured: built-in layouts only';
    writeLine(io.stdout, where);
    for (const s of statuses) writeLine(io.stdout, `${s.problem ? '✖' : '✔'} ${s.view.padEnd(18)} ${s.source.padEnd(10)} ${s.etag ?? ''}${s.problem ? `  ${s.problem}` : ''}`.trimEnd());
  }
  return statuses.some((s) => s.problem) ? 1 : 0;
}

export const cardsCommand = withSubcommands(
  { name: 'cards', summary: 'Where each card layout comes from (SharePoint or built-in)', usage: 'argus cards sync [--json]' },
  { sync },
);

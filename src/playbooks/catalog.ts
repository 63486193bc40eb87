import type { FileConfig } from '../config/file-schema';
import { parseYamlDefinition, readYamlFolder, uniqueIds } from '../config/yaml-definitions';
import type { Logger } from '../logging/logger';
import { parseIsoDuration } from './duration';
import type { Playbook } from './playbook';
import { playbookSchema } from './playbook-schema';

export interface CatalogOptions {
  /** Folder of `*.yaml` / `*.yml` definitions. */
  dir: string;
  /** The config's `sentinel` section: sentinel targets need it (and fill placeholders from it). */
  sentinel?: Pick<NonNullable<FileConfig['sentinel']>, 'subscriptionId' | 'resourceGroup'>;
  /** Where Argus is reached; HTTP targets need it for their callback URL. */
  publicUrl?: string;
  logger?: Logger;
}

/** The playbooks Argus knows, in file-name order. */
export class PlaybookCatalog {
  private readonly byId: Map<string, Playbook>;

  constructor(readonly playbooks: readonly Playbook[]) {
    this.byId = new Map(playbooks.map((p) => [p.definition.id, p]));
  }

  get(id: string): Playbook | undefined {
    return this.byId.get(id);
  }

  /** Playbooks that can run here. */
  available(): Playbook[] {
    return this.playbooks.filter((p) => !p.unavailable);
  }
}

/** Parses one definition; errors name the file and the key. */
export function parsePlaybook(text: string, file: string, options: Omit<CatalogOptions, 'dir'> = {}): Playbook {
  const definition = parseYamlDefinition('playbook', text, file, playbookSchema);
  const approval = definition.approval.required
    ? { approverRole: definition.approval.approverRole, expiresAfterMs: parseIsoDuration(definition.approval.expiresAfter) ?? 0 }
    : undefined;
  const base = { definition, file, timeoutMs: parseIsoDuration(definition.timeout) ?? 0, approval };
  const t = definition.target;
  if (t.type === 'http')
    return { ...base, target: t, unavailable: options.publicUrl ? undefined : 'publicUrl is not configured (needed for the callback URL)' };
  const { sentinel } = options;
  const logicAppResourceId = sentinel
    ? t.logicAppResourceId.replace('{subscriptionId}', sentinel.subscriptionId).replace('{resourceGroup}', sentinel.resourceGroup)
    : t.logicAppResourceId;
  return { ...base, target: { type: 'sentinel', logicAppResourceId }, unavailable: sentinel ? undefined : 'sentinel is not configured' };
}

/**
 * Reads every definition in `dir`. A bad file stops start-up (the error names file and key); a
 * missing folder is an empty catalog, said loudly. Playbooks whose target cannot work here are kept
 * (the `playbooks` command shows why) but never offered.
 */
export function loadPlaybookCatalog(options: CatalogOptions): PlaybookCatalog {
  const { dir, logger } = options;
  const files = readYamlFolder(dir);
  if (!files) {
    logger?.warn({ dir }, 'playbooks folder not found: no playbooks are offered');
    return new PlaybookCatalog([]);
  }
  const playbooks: Playbook[] = [];
  const claim = uniqueIds('playbook');
  for (const { file, text } of files) {
    const playbook = parsePlaybook(text, file, options);
    const id = playbook.definition.id;
    claim(id, file);
    if (playbook.unavailable) logger?.warn({ playbook: id, file, reason: playbook.unavailable }, 'playbook cannot run here; it is not offered');
    playbooks.push(playbook);
  }
  logger?.info({ dir, count: playbooks.length, available: playbooks.filter((p) => !p.unavailable).length }, 'playbook catalog loaded');
  return new PlaybookCatalog(playbooks);
}

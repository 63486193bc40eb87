import { roleAtLeast } from '../access/roles';
import type { AuditLog } from '../audit/audit-log';
import type { EvidenceSectionView } from '../cards/evidence-section';
import { ArgusError, isArgusError } from '../errors/catalog';
import type { CardPublisher, IncidentCardDecorator } from '../incidents/card-publisher';
import { viewerOf } from '../incidents/incident-actions';
import type { IncidentRepository } from '../incidents/incident-repository';
import type { Logger } from '../logging/logger';
import type { CardActionDefinition, CardActionResult, RequestContext } from '../teams/registry';
import type { EvidenceActor, EvidenceService, Registered } from './evidence-service';

export const evidenceVerbs = { add: 'evidence.add' } as const;
/** Input ids of the Add evidence form (unique in the whole incident card). */
export const evidenceInputs = ['evidenceExcerpt', 'evidenceSource', 'evidencePurpose'] as const;

/** A log excerpt pasted into the card is small: larger content goes through `argus evidence add` or the upload endpoint. */
export const excerptLimitBytes = 64 * 1024;

export interface EvidenceActionDeps {
  service: Pick<EvidenceService, 'register' | 'listFor'>;
  incidents: Pick<IncidentRepository, 'get'>;
  publisher: Pick<CardPublisher, 'render' | 'publish'>;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
  now?: () => Date;
}

type Ctx = RequestContext & { data: Record<string, unknown> };

function actorOf(ctx: Ctx): EvidenceActor {
  const { actor, decision } = ctx;
  return { name: actor.name ?? actor.aadObjectId ?? 'unknown', id: actor.aadObjectId, tenantId: actor.tenantId, roles: decision.roles, via: 'teams', admin: decision.role === 'admin' };
}

/** "Evidence registered: name · sha256 abc… · custodian X", for the thread and the card's notice. */
export function registeredNote(filename: string, sha256: string, custodian: string): string {
  return `Evidence registered: ${filename} · SHA-256 ${sha256.slice(0, 12)}… · custodian ${custodian}`;
}

/**
 * `evidence.add` (responder): the card's form registers a log excerpt as an evidence item, the
 * clicking person its custodian. A reader's click is refused by the Teams table (audited as a
 * denied card action) and recorded here as a rejected evidence.add as well.
 */
export function evidenceActions(deps: EvidenceActionDeps): CardActionDefinition[] {
  const now = deps.now ?? (() => new Date());

  async function rejected(ctx: Ctx, code: string, reason: string): Promise<void> {
    const actor = actorOf(ctx);
    await deps.audit.append({
      action: 'evidence.add',
      outcome: 'rejected',
      actorId: actor.id,
      actorName: actor.name,
      actorTenantId: actor.tenantId,
      roles: actor.roles,
      target: String(ctx.data.incidentId),
      correlationId: ctx.correlationId,
      detail: { via: 'teams', error: code, reason },
    });
  }

  async function add(ctx: Ctx): Promise<CardActionResult> {
    const name = String(ctx.data.incidentId);
    const actor = actorOf(ctx);
    const refuse = async (error: ArgusError): Promise<CardActionResult> => {
      await rejected(ctx, error.code, error.message);
      return { error: { status: error.status, code: error.code, message: error.message } };
    };
    const record = await deps.incidents.get(name);
    if (!record) return refuse(new ArgusError('ARGUS_NOT_FOUND', 'Argus does not know this incident.'));
    const excerpt = typeof ctx.data.evidenceExcerpt === 'string' ? ctx.data.evidenceExcerpt : '';
    if (!excerpt.trim()) return refuse(new ArgusError('ARGUS_BAD_PAYLOAD', 'Paste the log excerpt to register.'));
    const content = Buffer.from(excerpt, 'utf8');
    if (content.length > excerptLimitBytes)
      return refuse(new ArgusError('ARGUS_PAYLOAD_TOO_LARGE', `The excerpt is over ${excerptLimitBytes / 1024} KiB; register larger content with argus evidence add.`));
    const at = now().toISOString();
    let registered: Registered;
    try {
      registered = await deps.service.register({
        incident: { id: name, number: record.incident.number },
        filename: `log-excerpt-${at.replace(/[:.]/g, '-')}.txt`,
        source: ctx.data.evidenceSource,
        purpose: ctx.data.evidencePurpose,
        custodian: actor.name,
        actor,
        content: [content],
        maxBytes: excerptLimitBytes,
        correlationId: ctx.correlationId,
      });
    } catch (err) {
      // Bad input is refused here (audited); storage failures were audited by the service and reach the turn handler.
      if (isArgusError(err) && err.status < 500) return refuse(err);
      throw err;
    }
    const text = registeredNote(`log excerpt (${registered.size} bytes)`, registered.sha256, actor.name);
    void deps.publisher.publish(name, text).catch((err: unknown) => deps.logger.warn({ err, incident: name }, 'could not refresh the cards after registering evidence'));
    return { card: await deps.publisher.render({ ...record, notice: { text, style: 'good', at } }, viewerOf(ctx)) };
  }

  return [
    {
      verb: evidenceVerbs.add,
      role: 'responder',
      needsIncident: true,
      handle: add,
      async denied(ctx, message) {
        await rejected(ctx, 'ARGUS_FORBIDDEN', message);
        return undefined;
      },
    },
  ];
}

/** The card's evidence section: the latest items (newest first) and, for responders, the Add evidence form. */
export function evidenceCardSection(service: Pick<EvidenceService, 'listFor'>): IncidentCardDecorator {
  return async (record, viewer) => {
    const items = await service.listFor(record.incident.name);
    const view: EvidenceSectionView = {
      items: items.reverse().map((i) => ({ filename: i.filename, sha256: i.sha256, custodian: i.custodian })),
      canAdd: roleAtLeast(viewer.role, 'responder'),
    };
    return { evidence: view };
  };
}

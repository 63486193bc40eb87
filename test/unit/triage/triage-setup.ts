import { MemoryAuditLog } from '../../../src/audit/memory-audit-log';
import { triageSchema } from '../../../src/config/triage-schema';
import type { DetectionAlert } from '../../../src/detections/alert';
import { TableDetectionOutcomeStore } from '../../../src/detections/outcomes/table-outcome-store';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { RequestContext } from '../../../src/teams/registry';
import type { TeamsMessage } from '../../../src/teams/teams-delivery';
import { createTriageFeature } from '../../../src/triage/feature';
import type { IntelAnswers, IntelPort } from '../../../src/triage/intel-port';
import { TableTriageStore } from '../../../src/triage/triage-store';
import type { Indicator, SourceVerdict } from '../../../src/triage/types';
import { abuse, vt } from './triage-fixtures';

/** The triage feature on memory tables, with a fake intel port and a recording Teams delivery. */

export const reviewConversation = '19:triage@thread.tacv2';
export const socChannel = '19:soc@thread.tacv2';
const logger = createLogger({ level: 'silent' });
let counter = 0;

export function testAlert(overrides: Partial<DetectionAlert> = {}): DetectionAlert {
  counter += 1;
  return {
    id: counter.toString(16).padStart(32, 'a'),
    ruleId: 'rule-encoded-powershell',
    title: 'Encoded PowerShell [click](https://evil.example/) on host',
    level: 'high',
    tags: ['attack.execution'],
    detectedAt: '2025-03-01T10:00:00Z',
    source: 'test',
    eventIndex: 0,
    event: { Computer: 'FIN-WS-042', DestinationIp: '198.51.100.23' },
    explanation: { condition: 'selection', logsource: 'sysmon-process-creation', matchedSelections: ['selection'], unmatchedSelections: [], matches: [] },
    indicators: [{ type: 'ip', value: '198.51.100.23' }],
    ...overrides,
  };
}

/** Answers per indicator value; indicators not listed are unknown to both sources. */
export function fakeIntel(answers: Record<string, SourceVerdict[]>, extra: Partial<IntelAnswers> = {}): IntelPort & { asked: Indicator[][] } {
  const asked: Indicator[][] = [];
  return {
    asked,
    async enrich(indicators) {
      asked.push(indicators);
      return { results: indicators.map((indicator) => ({ indicator, sources: answers[indicator.value] ?? [] })), waiting: [], missing: [], ...extra };
    },
  };
}

export const malicious = [vt(60, 5, 10, 5), abuse(95, 40)];
export const clean = [vt(0, 0, 60, 10, 'clean'), abuse(0, 0)];
export const mixed = [vt(5, 0, 60, 25), abuse(75, 25)];

export function triageRig(options: { intel?: IntelPort; triage?: Record<string, unknown>; sweepIntervalMs?: number } = {}) {
  const outcomes = new TableDetectionOutcomeStore(memoryEntityTable());
  const store = new TableTriageStore(memoryEntityTable());
  const audit = new MemoryAuditLog();
  const posts: Array<{ conversationId: string; message: TeamsMessage }> = [];
  const delivery = {
    async post(conversationId: string, message: TeamsMessage) {
      posts.push({ conversationId, message });
      return `activity-${posts.length}`;
    },
  };
  const feature = createTriageFeature({
    triage: triageSchema.parse({ conversationId: reviewConversation, ...options.triage }),
    routing: { default: socChannel, rules: [] },
    enrichment: options.intel ? { intel: options.intel, weights: { virustotal: 1, abuseipdb: 0.8 }, configured: ['virustotal', 'abuseipdb'] } : undefined,
    store,
    outcomes,
    delivery,
    audit,
    logger,
    ...(options.sweepIntervalMs ? { sweepIntervalMs: options.sweepIntervalMs } : {}),
  });
  /** The alert arrives: detections record it as fired, then triage decides (the handler table's order). */
  async function receive(alert: DetectionAlert) {
    await outcomes.recordFired(alert);
    const event = { id: `e-${alert.id}`, name: 'alert.received', idempotencyKey: `alert:${alert.id}`, source: 'alerts', receivedAt: '', correlationId: 'c', payload: { alert } } as never;
    await feature.handlers.decide(event, { log: logger, correlationId: 'c', attempt: 0 });
    return (await store.get(alert.id))?.record;
  }
  /** A card button pressed by a responder. */
  async function press(verb: string, data: Record<string, unknown>) {
    const action = feature.actions?.find((a) => a.verb === verb);
    if (!action) throw new Error(`no verb ${verb}`);
    const ctx: RequestContext & { data: Record<string, unknown> } = {
      actor: { name: 'Rui Responder', aadObjectId: '10000000-0000-4000-8000-000000000002', tenantId: 'aaaaaaaa-0000-4000-8000-000000000001' },
      decision: { role: 'responder', roles: ['responder'], federated: false, reasons: ['listed'] },
      conversationId: reviewConversation,
      rawConversationId: reviewConversation,
      conversationKind: 'channel',
      correlationId: 'corr-1',
      log: logger,
      data,
    };
    return action.handle(ctx);
  }
  return { feature, outcomes, store, audit, posts, receive, press };
}

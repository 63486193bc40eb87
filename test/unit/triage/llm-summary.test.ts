import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { llmSchema, triageSchema } from '../../../src/config/triage-schema';
import { TableDetectionOutcomeStore } from '../../../src/detections/outcomes/table-outcome-store';
import { createLogger } from '../../../src/logging/logger';
import { memoryEntityTable } from '../../../src/storage/memory-entity-table';
import type { TeamsMessage } from '../../../src/teams/teams-delivery';
import { createLlmSummarizer, readCompletion } from '../../../src/triage/llm-summary';
import { shownRecord } from '../../../src/triage/triage-record';
import { createTriageService } from '../../../src/triage/triage-service';
import { TableTriageStore } from '../../../src/triage/triage-store';
import { fakeAzureOpenAiModel, startFakeAzureOpenAi } from '../../helpers/fake-azure-openai';
import { cardProblems, textOf } from '../cards/card-checker';
import { staticSecrets } from '../enrichment/intel-setup';
import { clean, fakeIntel, mixed, reviewConversation, socChannel, testAlert } from './triage-setup';

const logger = createLogger({ level: 'silent' });

/** Triage (fake intel: `mixed` answers → review) with the advisory summary on the Azure OpenAI fake. */
async function llmRig(t: TestContext, options: { timeoutMs?: number; key?: string } = {}) {
  const ai = await startFakeAzureOpenAi();
  t.after(() => ai.close());
  const advisor = createLlmSummarizer({
    config: llmSchema.parse({ enabled: true, endpoint: ai.endpoint, deployment: ai.deployment }),
    secrets: staticSecrets({ 'llm-api-key': options.key ?? ai.apiKey }),
    timeoutMs: options.timeoutMs ?? 2_000,
    log: logger,
  });
  const posts: Array<{ conversationId: string; message: TeamsMessage }> = [];
  const store = new TableTriageStore(memoryEntityTable());
  const outcomes = new TableDetectionOutcomeStore(memoryEntityTable());
  const service = createTriageService({
    triage: triageSchema.parse({ conversationId: reviewConversation }),
    routing: { default: socChannel, rules: [] },
    enrichment: { intel: fakeIntel({ '198.51.100.23': mixed, '203.0.113.77': clean }), weights: { virustotal: 1, abuseipdb: 0.8 }, configured: ['virustotal', 'abuseipdb'] },
    store,
    outcomes,
    delivery: { post: async (conversationId, message) => (posts.push({ conversationId, message }), `activity-${posts.length}`) },
    logger,
    ...(advisor ? { advisor } : {}),
  });
  const cardText = (n = 0) => textOf((posts[n]?.message as { card: unknown }).card);
  return { ai, service, store, outcomes, posts, cardText };
}

test('the llm is off by default: no summarizer; its endpoint must be https (the key goes with every call)', () => {
  assert.equal(createLlmSummarizer({ config: llmSchema.parse({}), secrets: staticSecrets({}), log: logger }), undefined);
  const plainHttp = llmSchema.safeParse({ enabled: true, endpoint: 'http://example.openai.azure.com', deployment: 'd' });
  assert.match(JSON.stringify(plainHttp.error?.issues), /must use https/);
  assert.ok(llmSchema.safeParse({ enabled: true, endpoint: 'https://example.openai.azure.com', deployment: 'd' }).success);
});

test('LLM fake answer: shown on the review card as advice, stored with its prompt, shown by alerts show; the decision is unchanged', async (t) => {
  const rig = await llmRig(t);
  const record = await rig.service.decide(testAlert());
  assert.deepEqual([record.status, record.decision], ['decided', 'review']);

  const [request] = rig.ai.requests;
  assert.equal(request?.path, `/openai/deployments/${rig.ai.deployment}/chat/completions`);
  assert.equal(request?.query.get('api-version'), '2024-10-21');
  assert.equal(request?.headers['api-key'], rig.ai.apiKey);
  const messages = (request?.json as { messages: Array<{ role: string; content: string }> }).messages;
  assert.deepEqual(messages.map((m) => m.role), ['system', 'user']);
  assert.match(messages[1]!.content, /198\.51\.100\.23/, 'the alert and its enrichment are given');

  const stored = (await rig.store.get(record.alertId))?.record;
  assert.match(stored?.llm?.summary ?? '', /^A host ran an encoded PowerShell command/);
  assert.equal(stored?.llm?.model, fakeAzureOpenAiModel);
  assert.equal(stored?.llm?.prompt, JSON.stringify(messages), 'the prompt is stored with the decision');
  assert.deepEqual(Object.keys(shownRecord(stored!).llm as object), ['summary', 'model'], 'alerts show: llm {summary, model}');
  assert.deepEqual([stored?.decision, stored?.score, stored?.reasons], [record.decision, record.score, record.reasons]);

  assert.equal(rig.posts.length, 1);
  const card = (rig.posts[0]!.message as { card: unknown }).card;
  assert.deepEqual(cardProblems(card), []);
  assert.match(rig.cardText(), /Advisory summary by gpt-4o-2024-08-06 \(not part of the decision\)/);
  assert.match(rig.cardText(), /A host ran an encoded PowerShell command/);
});

test('LLM timeout ignored: the decision is made and the card posted at once, without a summary', async (t) => {
  const rig = await llmRig(t, { timeoutMs: 200 });
  rig.ai.delay(1_000);
  const started = Date.now();
  const record = await rig.service.decide(testAlert());
  assert.ok(Date.now() - started < 800, `waited ${Date.now() - started} ms`);
  assert.deepEqual([record.status, record.decision, record.llm], ['decided', 'review', undefined]);
  assert.equal((await rig.store.get(record.alertId))?.record.llm, undefined);
  assert.equal(rig.posts.length, 1);
  assert.doesNotMatch(rig.cardText(), /Advisory summary/);
});

test('an llm error, a wrong key or a filtered answer leaves the card without a summary', async (t) => {
  const rig = await llmRig(t);
  rig.ai.failNext({ status: 429, code: '429', message: 'Requests to the ChatCompletions_Create Operation have exceeded call rate limit', retryAfter: '20' });
  assert.equal((await rig.service.decide(testAlert())).llm, undefined);
  rig.ai.answer(null, { finishReason: 'content_filter' });
  assert.equal((await rig.service.decide(testAlert())).llm, undefined);
  const wrongKey = await llmRig(t, { key: 'not-the-key' });
  assert.equal((await wrongKey.service.decide(testAlert())).llm, undefined);
  assert.equal(wrongKey.ai.requests.length, 1);
  assert.equal(rig.posts.length + wrongKey.posts.length, 3, 'every card posted');
});

test('an auto-closed alert gets no card and asks the llm nothing', async (t) => {
  const rig = await llmRig(t);
  const alert = testAlert({ indicators: [{ type: 'ip', value: '203.0.113.77' }] });
  await rig.outcomes.recordFired(alert);
  const record = await rig.service.decide(alert);
  assert.equal(record.decision, 'auto-close');
  assert.equal(rig.ai.requests.length, 0);
});

test('readCompletion takes choices[0].message.content and model, one line, capped', () => {
  assert.deepEqual(readCompletion({ model: 'gpt-4o', choices: [{ message: { content: '  One.\n\nTwo.  ' } }] }), { summary: 'One. Two.', model: 'gpt-4o' });
  assert.equal((readCompletion({ model: 'm', choices: [{ message: { content: 'x'.repeat(2000) } }] }) as { summary: string }).summary.length, 600);
  assert.ok('none' in readCompletion({ choices: [] }));
  assert.ok('none' in readCompletion(null));
});

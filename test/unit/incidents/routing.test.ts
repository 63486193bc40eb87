import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileConfig } from '../../../src/config/file-schema';
import { routedConversations } from '../../../src/incidents/routing';
import type { Subscription } from '../../../src/incidents/subscription-store';

test('the conversations routing may send cards to: rules, the default, then subscriptions, each once', () => {
  const routing: FileConfig['routing'] = {
    rules: [
      { match: { severity: ['High'] }, conversationId: '19:high' },
      { match: { labels: ['phishing'] }, conversationId: '19:phish' },
      { match: { severity: ['Low'] }, conversationId: '19:high' },
    ],
    default: '19:soc',
  };
  const subscribed: Subscription[] = [
    { conversationId: '19:phish', severities: [], by: 'ada', at: '2026-12-01T00:00:00Z' },
    { conversationId: '19:night', severities: ['High'], by: 'ada', at: '2026-12-01T00:00:00Z' },
  ];
  assert.deepEqual(routedConversations(routing, subscribed), ['19:high', '19:phish', '19:soc', '19:night']);
  assert.deepEqual(routedConversations({ rules: [] }, []), []);
});

import { randomUUID } from 'node:crypto';
import { sendJson, startTestServer, type TestServer } from './http-server';

export interface ConnectorCall {
  kind: 'send' | 'reply' | 'update';
  conversationId: string;
  /** For reply: the parent; for update: the activity updated; for send: the new id. */
  activityId: string;
  activity: Record<string, unknown>;
  at: number;
}

export interface FakeBotConnector extends TestServer {
  calls: ConnectorCall[];
  /** 429s answered because a conversation went over Teams' limits (with enforceLimits). */
  throttled: number;
  /** The next `n` calls answer `status` (with Retry-After seconds when given). */
  failNext(n: number, status: number, retryAfterSeconds?: number): void;
  /** Adaptive Card content of a call. */
  cardOf(call: ConnectorCall): Record<string, unknown> | undefined;
  /** The members `GET /v3/conversations/{id}/pagedmembers` lists (at most `pageSize` a page), and how often it was asked. */
  setMembers(conversationId: string, users: TestUser[], pageSize?: number): void;
  memberRequests: number;
  /** Resolves when a call matching `pred` has been recorded (or rejects after `timeoutMs`). */
  waitFor(pred: (c: ConnectorCall) => boolean, timeoutMs?: number): Promise<ConnectorCall>;
}

/**
 * A recording Bot Connector (the Bot Framework REST API v3 subset a bot uses): used as the
 * `serviceUrl` of test activities, so every message Argus sends to Teams lands here.
 */
/**
 * With `enforceLimits`, it answers 429 (Retry-After: 1) like Teams when a conversation (a channel
 * and its threads) goes over 7 calls per second, 8 per 2 seconds or 60 per 30 seconds.
 */
export async function startFakeBotConnector(options: { enforceLimits?: boolean } = {}): Promise<FakeBotConnector> {
  const calls: ConnectorCall[] = [];
  const arrivals = new Map<string, number[]>();
  let throttled = 0;
  const overLimit = (conversation: string): boolean => {
    const now = Date.now();
    const times = (arrivals.get(conversation) ?? []).filter((t) => t > now - 30_000);
    const within = (ms: number) => times.filter((t) => t > now - ms).length;
    const over = within(1_000) >= 7 || within(2_000) >= 8 || within(30_000) >= 60;
    if (!over) times.push(now);
    arrivals.set(conversation, times);
    return over;
  };
  let failures: { left: number; status: number; retryAfter?: number } = { left: 0, status: 0 };
  const waiters: Array<{ pred: (c: ConnectorCall) => boolean; resolve: (c: ConnectorCall) => void }> = [];

  const members = new Map<string, { users: TestUser[]; pageSize: number }>();
  let memberRequests = 0;
  const server = await startTestServer((req, res) => {
    const paged = /^\/v3\/conversations\/([^/]+)\/pagedmembers$/.exec(req.path);
    if (req.method === 'GET' && paged) {
      // Teams: {members: [TeamsChannelAccount…], continuationToken} with no token on the last page.
      memberRequests += 1;
      const listed = members.get(decodeURIComponent(paged[1]!).split(';messageid=')[0]!);
      if (!listed) return sendJson(res, 404, { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } });
      const size = Math.min(Number(req.query.get('pageSize') ?? 500) || 500, listed.pageSize);
      const start = Number(req.query.get('continuationToken') ?? 0) || 0;
      const page = listed.users.slice(start, start + size).map((u) => ({ id: u.id, name: u.name, aadObjectId: u.aadObjectId, givenName: u.name.split(' ')[0], email: `${u.aadObjectId}@example.com`, userPrincipalName: `${u.aadObjectId}@example.com`, tenantId: u.tenantId, userRole: 'user' }));
      return sendJson(res, 200, start + size < listed.users.length ? { members: page, continuationToken: String(start + size) } : { members: page });
    }
    const isCreate = req.method === 'POST' && req.path === '/v3/conversations';
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(req.path);
    if (!isCreate && !match?.[1]) {
      sendJson(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${req.path}` } });
      return;
    }
    if (options.enforceLimits) {
      const params = req.json as { channelData?: { channel?: { id?: string } } } | undefined;
      const conversation = isCreate ? (params?.channelData?.channel?.id ?? '') : decodeURIComponent(match![1]!).split(';messageid=')[0]!;
      if (overLimit(conversation)) {
        throttled += 1;
        sendJson(res, 429, { error: { code: 'Throttled', message: 'too many requests' } }, { 'retry-after': '1' });
        return;
      }
    }
    if (failures.left > 0) {
      failures.left -= 1;
      const headers: Record<string, string> = failures.retryAfter !== undefined ? { 'retry-after': String(failures.retryAfter) } : {};
      sendJson(res, failures.status, { error: { code: failures.status === 429 ? 'Throttled' : 'ServiceError', message: 'injected failure' } }, headers);
      return;
    }
    let call: ConnectorCall;
    if (isCreate) {
      // Teams: a conversation created in a channel is a new thread; the answer names both.
      const params = (req.json ?? {}) as { channelData?: { channel?: { id?: string } }; activity?: Record<string, unknown>; members?: Array<{ id?: string }> };
      const channel = params.channelData?.channel?.id ?? '';
      const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const member = params.members?.[0]?.id;
      if (!channel && member) {
        // A 1:1 chat with one user: Teams answers the same conversation id for the same user.
        const personal = `a:personal-${member}`;
        call = { kind: 'send', conversationId: personal, activityId: id, activity: { ...(params.activity ?? {}), id }, at: Date.now() };
        sendJson(res, 201, { id: personal, activityId: id });
        calls.push(call);
        notify(call);
        return;
      }
      call = { kind: 'send', conversationId: channel, activityId: id, activity: { ...(params.activity ?? {}), id }, at: Date.now() };
      sendJson(res, 201, { id: `${channel};messageid=${id}`, activityId: id });
      calls.push(call);
      notify(call);
      return;
    }
    const conversationId = decodeURIComponent(match![1]!);
    const target = match![2] ? decodeURIComponent(match![2]) : undefined;
    const activity = (req.json ?? {}) as Record<string, unknown>;
    if (req.method === 'PUT' && target) {
      call = { kind: 'update', conversationId, activityId: target, activity, at: Date.now() };
      sendJson(res, 200, { id: target });
    } else if (req.method === 'POST') {
      const id = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
      const isReply = Boolean(target) || conversationId.includes(';messageid=');
      call = { kind: isReply ? 'reply' : 'send', conversationId, activityId: target ?? id, activity: { ...activity, id }, at: Date.now() };
      sendJson(res, 201, { id });
    } else {
      sendJson(res, 405, { error: { code: 'MethodNotAllowed', message: req.method } });
      return;
    }
    calls.push(call);
    notify(call);
  });

  function notify(call: ConnectorCall): void {
    for (const w of [...waiters]) {
      if (w.pred(call)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  }

  return {
    ...server,
    calls,
    get throttled() {
      return throttled;
    },
    setMembers(conversationId, users, pageSize = 500) {
      members.set(conversationId, { users, pageSize });
    },
    get memberRequests() {
      return memberRequests;
    },
    failNext(n, status, retryAfterSeconds) {
      failures = { left: n, status, retryAfter: retryAfterSeconds };
    },
    cardOf(call) {
      const attachments = call.activity.attachments as Array<{ contentType?: string; content?: Record<string, unknown> }> | undefined;
      return attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
    },
    waitFor(pred, timeoutMs = 10_000) {
      const found = calls.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a Bot Connector call')), timeoutMs);
        waiters.push({
          pred,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
  };
}

export const botId = '28:argus-bot-id';

export interface TestUser {
  id: string;
  aadObjectId: string;
  name: string;
  tenantId: string;
}

export function testUser(name: string, aadObjectId: string, tenantId: string): TestUser {
  return { id: `29:${randomUUID()}`, aadObjectId, name, tenantId };
}

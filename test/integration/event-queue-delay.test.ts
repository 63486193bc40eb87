import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { QueueClient } from '@azure/storage-queue';
import { EventQueue } from '../../src/events/event-queue';

// Azure Queue Storage's Put Message takes `visibilitytimeout` in whole seconds; a fraction is a 400
// there (Azurite lets it through). A fake that answers like the service records what Argus sends.
test('a delayed message asks for whole seconds, rounded up, so a retry never comes before its backoff', async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const timeout = url.searchParams.get('visibilitytimeout') ?? '';
    seen.push(timeout);
    req.resume();
    req.on('end', () => {
      if (!/^\d+$/.test(timeout)) {
        res.writeHead(400, { 'content-type': 'application/xml', 'x-ms-error-code': 'InvalidQueryParameterValue' });
        res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>InvalidQueryParameterValue</Code><Message>Value for one of the query parameters specified in the request URI is invalid.</Message></Error>');
        return;
      }
      res.writeHead(201, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="utf-8"?><QueueMessagesList><QueueMessage><MessageId>m1</MessageId>' +
          '<InsertionTime>Thu, 03 Dec 2026 08:00:00 GMT</InsertionTime><ExpirationTime>Thu, 10 Dec 2026 08:00:00 GMT</ExpirationTime>' +
          '<PopReceipt>p1</PopReceipt><TimeNextVisible>Thu, 03 Dec 2026 08:00:02 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>',
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    const { port } = server.address() as AddressInfo;
    const client = new QueueClient(`http://127.0.0.1:${port}/devstoreaccount1/argus-events`, undefined, { retryOptions: { maxTries: 1 } });
    const queue = new EventQueue(client, client);
    await queue.send([{ partitionKey: 'p', rowKey: 'r' }], 1.25);
    await queue.send([{ partitionKey: 'p', rowKey: 'r' }]);
    assert.deepEqual(seen, ['2', '0']);
  } finally {
    server.close();
  }
});

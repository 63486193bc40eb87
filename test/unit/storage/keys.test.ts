import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestError } from '@azure/data-tables';
import {
  decodeKey,
  encodeKey,
  invertedTimeKey,
  isConflict,
  isNotFound,
  isPreconditionFailed,
  isValidKey,
  padSeq,
  timeFromInvertedKey,
} from '../../../src/storage/keys';
import { accountEndpoints, describeConnectionString } from '../../../src/storage/connection-string';

test('encodeKey makes any string a valid key and decodeKey reverses it', () => {
  const samples = [
    '',
    'plain-guid-1234',
    '/subscriptions/abc/resourceGroups/rg#frag?q=1',
    'back\\slash',
    '100%',
    '%2F already looks encoded',
    'tab\tnew\nline\u0000nul\u007fdel\u0085nel',
    'ünïcødé 🚨 emoji',
  ];
  for (const s of samples) {
    const key = encodeKey(s);
    assert.ok(isValidKey(key), `valid: ${JSON.stringify(key)}`);
    assert.equal(decodeKey(key), s);
  }
  assert.equal(encodeKey('a/b'), 'a%2Fb');
  assert.equal(encodeKey('plain-guid-1234'), 'plain-guid-1234', 'ordinary ids stay readable');
  assert.equal(isValidKey('a/b'), false);
});

test('invertedTimeKey sorts newest first and round trips', () => {
  const older = invertedTimeKey(new Date('2024-01-01T00:00:00Z'));
  const newer = invertedTimeKey(new Date('2025-06-01T12:00:00.001Z'));
  assert.equal(older.length, 13);
  assert.equal(newer.length, 13);
  assert.ok(newer < older);
  assert.equal(timeFromInvertedKey(newer).toISOString(), '2025-06-01T12:00:00.001Z');
  assert.throws(() => invertedTimeKey(-1), RangeError);
});

test('padSeq sorts numerically as text', () => {
  assert.equal(padSeq(7), '000000000007');
  assert.ok(padSeq(10) > padSeq(9));
  assert.throws(() => padSeq(1.5), RangeError);
});

test('status helpers branch on statusCode, not on message text', () => {
  const conflict = new RestError('The specified entity already exists', { statusCode: 409 });
  const stale = new RestError('anything', { statusCode: 412 });
  const missing = new RestError('The specified entity already exists', { statusCode: 404 });
  assert.deepEqual([isConflict(conflict), isPreconditionFailed(conflict), isNotFound(conflict)], [true, false, false]);
  assert.deepEqual([isConflict(stale), isPreconditionFailed(stale), isNotFound(stale)], [false, true, false]);
  assert.deepEqual([isConflict(missing), isPreconditionFailed(missing), isNotFound(missing)], [false, false, true]);
  assert.equal(isConflict(new Error('409')), false);
});

test('connection strings and account URLs are described without secrets', () => {
  const info = describeConnectionString('DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=c2VjcmV0==;EndpointSuffix=core.windows.net');
  assert.deepEqual(info, { accountName: 'acme', tableEndpoint: 'https://acme.table.core.windows.net', insecure: false });
  assert.equal(describeConnectionString('UseDevelopmentStorage=true').insecure, true);
  assert.deepEqual(accountEndpoints('https://acme.blob.core.windows.net/'), {
    tableUrl: 'https://acme.table.core.windows.net',
    queueUrl: 'https://acme.queue.core.windows.net',
    blobUrl: 'https://acme.blob.core.windows.net',
  });
  assert.deepEqual(accountEndpoints('https://storage.example.com/acct'), {
    tableUrl: 'https://storage.example.com/acct',
    queueUrl: 'https://storage.example.com/acct',
    blobUrl: 'https://storage.example.com/acct',
  });
});

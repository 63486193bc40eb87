import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobContainer } from '../../../src/storage/blob-content-store';
import { devAccountKey, devConnectionString, devEndpoint } from '../../../src/storage/dev-account';

test('a storage connection string without a Blob endpoint is refused at once, naming what is missing', () => {
  const tablesAndQueues = devConnectionString({ tableEndpoint: devEndpoint('127.0.0.1', 10002), queueEndpoint: devEndpoint('127.0.0.1', 10001) });
  assert.throws(() => blobContainer({ kind: 'connectionString', connectionString: tablesAndQueues }, 'argus-evidence'), (err: { code?: string; message?: string }) => {
    assert.equal(err.code, 'ARGUS_CONFIG_INVALID');
    assert.match(String(err.message), /BlobEndpoint=… or EndpointSuffix=…/);
    return true;
  });
  const withBlob = devConnectionString({ tableEndpoint: devEndpoint('127.0.0.1', 10002), queueEndpoint: devEndpoint('127.0.0.1', 10001), blobEndpoint: devEndpoint('127.0.0.1', 10000) });
  assert.equal(blobContainer({ kind: 'connectionString', connectionString: withBlob }, 'argus-evidence')().containerName, 'argus-evidence');
  const azure = `DefaultEndpointsProtocol=https;AccountName=argusprod;AccountKey=${devAccountKey};EndpointSuffix=core.windows.net`;
  assert.equal(blobContainer({ kind: 'connectionString', connectionString: azure }, 'argus-evidence')().url, 'https://argusprod.blob.core.windows.net/argus-evidence');
});

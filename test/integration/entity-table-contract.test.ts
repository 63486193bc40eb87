import { after, before } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { azureEntityTable } from '../../src/storage/entity-table';
import { memoryEntityTable } from '../../src/storage/memory-entity-table';
import { startAzurite, type TestAzurite } from '../helpers/azurite';
import { entityTableContract } from '../helpers/entity-table-contract';

let azurite: TestAzurite;
before(async () => {
  azurite = await startAzurite();
});
after(() => azurite.stop());

let n = 0;
entityTableContract('in memory', async () => memoryEntityTable());
entityTableContract('Table Storage (Azurite)', async () => {
  const client = TableClient.fromConnectionString(azurite.connectionString, `Contract${++n}`, { allowInsecureConnection: true });
  await client.createTable();
  return azureEntityTable(client);
});

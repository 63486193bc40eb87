import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArgusError, isArgusError } from '../../../src/errors/catalog';
import { createCachedSecretProvider, type SecretSource } from '../../../src/config/secrets-cache';

/** A store that counts reads and answers when told to, so timing is in the test's hands. */
function countingSource(values: Record<string, string>) {
  const reads: string[] = [];
  const waiting: Array<() => void> = [];
  let failing = false;
  let gated = false;
  const source: SecretSource = {
    description: 'a counting store',
    locate: (name) => name,
    async read(name) {
      reads.push(name);
      if (gated) await new Promise<void>((resolve) => waiting.push(resolve));
      if (failing) throw new ArgusError('ARGUS_DEPENDENCY_FAILED', 'store down');
      return values[name];
    },
    ping: async () => {},
  };
  return {
    source,
    reads,
    values,
    fail: (on: boolean) => void (failing = on),
    gate: (on: boolean) => void (gated = on),
    release: () => waiting.splice(0).forEach((resolve) => resolve()),
  };
}

test('concurrent reads of one name share a single fetch', async () => {
  const store = countingSource({ alpha: 'a' });
  const secrets = createCachedSecretProvider(store.source);
  store.gate(true);
  const pending = Promise.all([secrets.get('alpha'), secrets.get('alpha'), secrets.require('alpha')]);
  await new Promise((resolve) => setImmediate(resolve));
  store.release();
  assert.deepEqual(await pending, ['a', 'a', 'a']);
  assert.deepEqual(store.reads, ['alpha']);
});

test('values and absences are cached for the TTL, then read again', async () => {
  let clock = 1_000;
  const store = countingSource({ alpha: 'a' });
  const secrets = createCachedSecretProvider(store.source, { ttlMs: 60_000, now: () => clock });
  assert.equal(await secrets.get('alpha'), 'a');
  assert.equal(await secrets.get('beta'), undefined);
  clock += 59_999;
  assert.equal(await secrets.get('alpha'), 'a');
  assert.equal(await secrets.get('beta'), undefined);
  assert.equal(store.reads.length, 2);
  store.values.alpha = 'a2';
  clock += 1;
  assert.equal(await secrets.get('alpha'), 'a2');
  assert.deepEqual(store.reads, ['alpha', 'beta', 'alpha']);
});

test('ttl 0 reads the store every time', async () => {
  const store = countingSource({ alpha: 'a' });
  const secrets = createCachedSecretProvider(store.source, { ttlMs: 0 });
  await secrets.get('alpha');
  await secrets.get('alpha');
  assert.equal(store.reads.length, 2);
});

test('failures are not cached: the next read asks the store again', async () => {
  const store = countingSource({ alpha: 'a' });
  const secrets = createCachedSecretProvider(store.source);
  store.fail(true);
  await assert.rejects(secrets.get('alpha'), (err: unknown) => isArgusError(err, 'ARGUS_DEPENDENCY_FAILED'));
  store.fail(false);
  assert.equal(await secrets.get('alpha'), 'a');
  assert.equal(store.reads.length, 2);
});

test('invalidate(name) and invalidate() force fresh reads, even of a fetch already under way', async () => {
  const store = countingSource({ alpha: 'a', beta: 'b' });
  const secrets = createCachedSecretProvider(store.source);
  await secrets.get('alpha');
  await secrets.get('beta');
  store.values.alpha = 'a2';
  store.values.beta = 'b2';
  secrets.invalidate('alpha');
  assert.equal(await secrets.get('alpha'), 'a2');
  assert.equal(await secrets.get('beta'), 'b');
  secrets.invalidate();
  assert.equal(await secrets.get('beta'), 'b2');

  // A rotation lands while a read of the old value is in flight: that stale answer is not kept.
  store.gate(true);
  secrets.invalidate('alpha');
  const stale = secrets.get('alpha');
  await new Promise((resolve) => setImmediate(resolve));
  secrets.invalidate('alpha');
  store.release();
  await stale;
  store.gate(false);
  store.values.alpha = 'a3';
  assert.equal(await secrets.get('alpha'), 'a3');
});

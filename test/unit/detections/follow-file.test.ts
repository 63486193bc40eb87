import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { followFile } from '../../../src/detections/ingest/follow-file';

const dir = mkdtempSync(join(tmpdir(), 'argus-follow-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a followed file yields appended text, and starts over (after a null) when rotated', async () => {
  const path = join(dir, 'events.log');
  writeFileSync(path, 'one\n');
  const stop = new AbortController();
  const seen: (string | null)[] = [];
  const reading = (async () => {
    for await (const chunk of followFile(path, { signal: stop.signal, pollMs: 20 })) {
      seen.push(chunk);
      if (chunk === 'one\n') appendFileSync(path, 'two\n');
      else if (chunk === 'two\n') {
        renameSync(path, `${path}.1`);
        writeFileSync(path, 'three\n');
      } else if (chunk === 'three\n') stop.abort();
    }
  })();
  const timer = setTimeout(() => stop.abort(), 5000);
  await reading;
  clearTimeout(timer);
  assert.deepEqual(seen, ['one\n', 'two\n', null, 'three\n']);
});

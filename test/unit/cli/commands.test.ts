import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allCommands, loadCommand } from '../../../src/cli/commands';

test('each command is found by the name it declares, and an unknown name by none', async () => {
  const all = await allCommands();
  assert.ok(all.length >= 19);
  for (const command of all) assert.equal((await loadCommand(command.name))?.name, command.name);
  assert.equal(new Set(all.map((c) => c.name)).size, all.length, 'no name twice');
  assert.equal(loadCommand('nope'), undefined);
  assert.equal(loadCommand('toString'), undefined, 'not a property of every object');
});

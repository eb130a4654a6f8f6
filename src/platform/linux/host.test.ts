import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolVersion } from './host.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-host-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A tool that counts its runs in a file beside it and prints a runc-style version. */
function writeTool(name: string, version: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho x >> "${path}.runs"\nprintf '${name} version ${version}\\ncommit: abc${version}\\n'\n`);
  chmodSync(path, 0o755);
  return path;
}
const runs = (path: string) => readFileSync(`${path}.runs`, 'utf8').split('\n').filter(Boolean).length;

test('a tool is asked for its version once, and again once the file is replaced', async () => {
  const tool = writeTool('fakert', '1.2.3');
  assert.deepEqual(await toolVersion(tool), { version: '1.2.3', commit: 'abc1.2.3' });
  assert.deepEqual(await toolVersion(tool), { version: '1.2.3', commit: 'abc1.2.3' });
  assert.equal(runs(tool), 1);
  writeTool('fakert', '1.2.40');
  assert.deepEqual(await toolVersion(tool), { version: '1.2.40', commit: 'abc1.2.40' });
  assert.equal(runs(tool), 2);
});

test('a name is looked up along PATH; a missing tool has no version', async () => {
  writeTool('fakemon', '2.0');
  const path = process.env.PATH;
  process.env.PATH = `${join(dir, 'nothing-here')}:${dir}`;
  try {
    assert.deepEqual(await toolVersion('fakemon'), { version: '2.0', commit: 'abc2.0' });
    assert.equal(await toolVersion('berth-no-such-tool'), null);
  } finally {
    process.env.PATH = path;
  }
});

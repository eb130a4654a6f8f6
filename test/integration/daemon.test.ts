/** berthd as a process: its flags, daemon.json rules, data-root lock, signals. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, TestDaemon } from './harness.js';

const berthd = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'berthd'), ...args], { encoding: 'utf8', timeout: 30_000 });

describe('berthd', () => {
  let daemon: TestDaemon;
  before(async () => {
    daemon = await TestDaemon.start(['--debug']);
  });
  after(async () => {
    await daemon?.stop();
  });

  test('listens on a unix socket with mode 0660 and writes its pidfile', async () => {
    assert.equal((await stat(daemon.socket)).mode & 0o777, 0o660);
    const pid = Number(await readFile(join(daemon.dir, 'berthd.pid'), 'utf8'));
    assert.ok(pid > 0);
    const head = await daemon.api('HEAD', '/_ping');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  test('refuses to start on a data root another berthd holds', () => {
    const second = berthd(['--data-root', daemon.dataRoot, '--exec-root', join(daemon.dir, 'exec2'), '-H', `unix://${daemon.dir}/second.sock`,
      '--pidfile', join(daemon.dir, 'second.pid'), '--config-file', join(daemon.dir, 'daemon.json')]);
    assert.equal(second.status, 1);
    assert.match(second.stderr, /another berthd \(pid \d+\) is using the data root/);
  });

  test('daemon.json: unknown keys, unsupported keys, and flag/file conflicts are errors', async () => {
    const file = join(daemon.dir, 'bad.json');
    const start = (json: unknown, extra: string[] = []) => {
      return writeFile(file, JSON.stringify(json)).then(() =>
        berthd(['--config-file', file, '--data-root', join(daemon.dir, 'other'), '--exec-root', join(daemon.dir, 'exec3'), ...extra]));
    };
    const unknown = await start({ 'no-such-option': true });
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /the following directives don't match any configuration option: no-such-option/);
    const unsupported = await start({ 'userns-remap': 'default' });
    assert.match(unsupported.stderr, /not supported by berthd yet: userns-remap/);
    const both = await start({ hosts: ['unix:///tmp/x.sock'] }, ['-H', 'unix:///tmp/y.sock']);
    assert.match(both.stderr, /specified both as a flag and in the configuration file: hosts/);
    await writeFile(file, '{"debug": tru');
    const malformed = berthd(['--config-file', file]);
    assert.match(malformed.stderr, /invalid JSON in/);
    const badFlag = berthd(['--no-such-flag']);
    assert.equal(badFlag.status, 125);
  });

  test('SIGHUP reloads debug from daemon.json; SIGTERM stops cleanly and removes the socket', async () => {
    await writeFile(join(daemon.dir, 'daemon.json'), JSON.stringify({ 'log-level': 'warn' }));
    const pid = Number(await readFile(join(daemon.dir, 'berthd.pid'), 'utf8'));
    process.kill(pid, 'SIGHUP');
    const deadline = Date.now() + 5000;
    while (!daemon.log().includes('configuration reloaded') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(daemon.log(), /configuration reloaded/);
    assert.equal(await daemon.kill('SIGTERM'), 0);
    await assert.rejects(stat(daemon.socket));
    await assert.rejects(stat(join(daemon.dir, 'berthd.pid')));
  });
});

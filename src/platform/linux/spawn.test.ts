import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { runCommand, spawnProcess } from './spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-spawn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('runCommand feeds stdin and collects stdout, stderr and the exit code', async () => {
  const r = await runCommand('sh', ['-c', 'cat; echo out; echo err >&2; exit 3'], 'in\n');
  assert.deepEqual(r, { code: 3, signal: null, stdout: 'in\nout\n', stderr: 'err\n' });
});

test('a signal that ends the child is reported by name; ignored signals are reset (Node ignores SIGPIPE)', async () => {
  assert.deepEqual(await runCommand('sh', ['-c', 'kill -TERM $$']), { code: null, signal: 'SIGTERM', stdout: '', stderr: '' });
  const r = await runCommand('sh', ['-c', 'grep SigIgn /proc/self/status']);
  assert.match(r.stdout, /SigIgn:\s+0+\n/);
});

test('a command that does not exist rejects as child_process does', async () => {
  await assert.rejects(runCommand('berth-no-such-command', []), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && /spawn berth-no-such-command ENOENT/.test(err.message));
});

test('env, cwd, an inherited fd and setsid reach the child; our fd stays open', async () => {
  const outPath = join(dir, 'out');
  const fd = openSync(outPath, 'w');
  try {
    const child = spawnProcess('sh', ['-c', 'echo "$GREETING $(pwd)" >&3; ps -o sid= -p $$ | tr -d " "; echo $$'], {
      env: { GREETING: 'hello', PATH: process.env.PATH }, cwd: dir, stdio: ['ignore', 'pipe', 'ignore', fd], detached: true,
    });
    const out = child.stdio[1] as Socket;
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    assert.deepEqual(await child.exit, { code: 0, signal: null });
    await new Promise((resolve) => (out.readableEnded ? resolve(undefined) : out.once('end', resolve)));
    out.destroy();
    const [sid, pid] = text.trim().split('\n');
    assert.equal(sid, pid, 'the child leads its own session');
    closeSync(openSync(`/proc/self/fd/${fd}`, 'r')); // still ours
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(outPath, 'utf8'), `hello ${dir}\n`);
});

test('netns runs the child in that network namespace, and only the child', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to make a network namespace');
  const name = `berth-spawn-${process.pid}`;
  assert.equal((await runCommand('ip', ['netns', 'add', name])).code, 0);
  try {
    const path = `/run/netns/${name}`;
    const inside = await runCommand('readlink', ['/proc/self/ns/net'], undefined, { netns: path });
    assert.equal(inside.stdout.trim(), `net:[${statSync(path).ino}]`);
    // The namespace is a fresh one: loopback only, and down.
    assert.match((await runCommand('ip', ['-o', 'link'], undefined, { netns: path })).stdout, /^1: lo: .*state DOWN/);
    const ours = await runCommand('readlink', ['/proc/self/ns/net']);
    assert.equal(ours.stdout.trim(), readlinkSync('/proc/self/ns/net'));
    assert.notEqual(ours.stdout.trim(), inside.stdout.trim());
  } finally {
    await runCommand('ip', ['netns', 'del', name]);
  }
});

test('a network namespace that does not exist rejects the spawn, naming the namespace', async () => {
  const missing = join(dir, 'no-such-netns');
  await assert.rejects(runCommand('true', [], undefined, { netns: missing }), (err: NodeJS.ErrnoException) => err.code === 'ENOENT' && err.message === `ENOENT: open network namespace '${missing}'`);
});

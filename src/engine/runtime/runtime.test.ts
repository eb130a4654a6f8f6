import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { controllerDir } from '../../platform/linux/cgroups.js';
import { cgroupVersion } from '../../platform/linux/host.js';
import { makeFixture, readAll, waitForOutput, TEST_CGROUP_PARENT, type Fixture } from './test-fixture.js';
import type { LogEntry } from './types.js';

/** Real containers through conmon + runc: needs root, runc, conmon, busybox-static. */
describe('ConmonRuncRuntime', { concurrency: false }, () => {
  let fx: Fixture;
  before(() => {
    fx = makeFixture();
  });
  after(async () => {
    await fx?.cleanup();
  });

  async function collectLog(path: string): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    for await (const e of fx.runtime.readLog(path)) out.push(e);
    return out;
  }

  it('runs a process: stdout and stderr apart in the log, exit code 3', async () => {
    const id = fx.newId();
    const created = await fx.runtime.create(fx.spec(id, ['sh', '-c', 'echo out; echo err >&2; exit 3']), { tty: false, openStdin: false, logPath: fx.logPath(id) });
    assert.ok(created.pid > 0 && created.conmonPid > 0);
    assert.equal((await fx.runtime.state(id)).status, 'created');
    await fx.runtime.start(id);
    const exit = await fx.runtime.waitExit(id);
    assert.equal(exit.exitCode, 3);
    assert.equal(exit.oomKilled, false);
    const log = await collectLog(fx.logPath(id));
    assert.deepEqual(
      log.map((e) => [e.stream, e.line.toString(), e.partial]),
      [['stdout', 'out', false], ['stderr', 'err', false]],
    );
    assert.deepEqual(await fx.runtime.readExit(id), exit);
    await fx.runtime.delete(id);
    await assert.rejects(fx.runtime.state(id), { kind: 'notFound' });
  });

  it('an attach after the process has exited (conmon\'s socket gone) ends at once instead of failing', async () => {
    const id = fx.newId();
    await fx.runtime.create(fx.spec(id, ['true']), { tty: false, openStdin: false, logPath: fx.logPath(id) });
    await fx.runtime.start(id);
    await fx.runtime.waitExit(id);
    const io = await fx.runtime.attach(id);
    assert.equal(await readAll(io.stdout), '');
    assert.equal(await readAll(io.stderr), '');
    io.close();
    await fx.runtime.delete(id);
  });

  it('SIGKILL gives exit code 137', async () => {
    const id = fx.newId();
    await fx.runtime.create(fx.spec(id, ['sleep', '60']), { tty: false, openStdin: false, logPath: fx.logPath(id) });
    await fx.runtime.start(id);
    assert.equal((await fx.runtime.state(id)).status, 'running');
    assert.equal(await fx.runtime.readExit(id), null);
    await fx.runtime.kill(id, 'KILL');
    assert.equal((await fx.runtime.waitExit(id)).exitCode, 137);
    await fx.runtime.delete(id);
  });

  it('tty: attach, type a command, read its output; resize the pty', async () => {
    const id = fx.newId();
    await fx.runtime.create(fx.spec(id, ['sh'], { terminal: true }), { tty: true, openStdin: true, logPath: fx.logPath(id) });
    await fx.runtime.start(id);
    const io = await fx.runtime.attach(id);
    await fx.runtime.resize(id, { height: 33, width: 101 });
    io.stdin.write('echo hi; stty size\n');
    const text = await waitForOutput(io.stdout, (t) => /\r?\nhi\r?\n/.test(t) && /33 101/.test(t));
    assert.match(text, /33 101/);
    io.stdin.write('exit 5\n');
    assert.equal((await fx.runtime.waitExit(id)).exitCode, 5);
    io.close();
    await fx.runtime.delete(id);
  });

  it('non-tty attach: stdin in, stdout and stderr apart', async () => {
    const id = fx.newId();
    await fx.runtime.create(fx.spec(id, ['sh', '-c', 'read line; echo "got $line"; echo oops >&2']), {
      tty: false, openStdin: true, stdinOnce: true, logPath: fx.logPath(id),
    });
    const io = await fx.runtime.attach(id);
    await fx.runtime.start(id);
    const out = readAll(io.stdout);
    const err = readAll(io.stderr);
    io.stdin.end('hello\n');
    assert.equal(await out, 'got hello\n');
    assert.equal(await err, 'oops\n');
    assert.equal((await fx.runtime.waitExit(id)).exitCode, 0);
    await fx.runtime.delete(id);
  });

  describe('a running container', () => {
    let id: string;
    before(async () => {
      id = fx.newId();
      await fx.runtime.create(fx.spec(id, ['sh', '-c', 'while true; do sleep 0.1; done'], { resources: { memory: 64 * 1024 * 1024, pidsLimit: 50 } }), {
        tty: false, openStdin: false, logPath: fx.logPath(id),
      });
      await fx.runtime.start(id);
    });
    after(async () => {
      await fx.runtime.delete(id, { force: true });
    });

    it('exec: attached output and exit code; detached exit code', async () => {
      const s = await fx.runtime.exec(id, { ...fx.spec(id, []).process, args: ['sh', '-c', 'echo in-exec; echo e >&2; exit 7'] }, { tty: false, openStdin: false, detach: false });
      assert.ok(s.streams);
      const [out, err, code] = await Promise.all([readAll(s.streams.stdout), readAll(s.streams.stderr), s.exit]);
      assert.deepEqual([out, err, code], ['in-exec\n', 'e\n', 7]);
      const d = await fx.runtime.exec(id, { ...fx.spec(id, []).process, args: ['sh', '-c', 'exit 4'] }, { tty: false, openStdin: false, detach: true });
      assert.equal(d.streams, null);
      assert.equal(await d.exit, 4);
    });

    it('exec with a tty and stdin', async () => {
      const s = await fx.runtime.exec(id, { ...fx.spec(id, [], { terminal: true }).process, args: ['sh'] }, {
        tty: true, openStdin: true, detach: false, size: { height: 20, width: 70 },
      });
      s.streams!.stdin.write('stty size; exit 2\n');
      assert.match(await waitForOutput(s.streams!.stdout, (t) => /20 70/.test(t)), /20 70/);
      assert.equal(await s.exit, 2);
    });

    it('pause and resume', async () => {
      await fx.runtime.pause(id);
      assert.equal((await fx.runtime.state(id)).status, 'paused');
      await assert.rejects(fx.runtime.pause(id), { kind: 'conflict' });
      await fx.runtime.resume(id);
      assert.equal((await fx.runtime.state(id)).status, 'running');
    });

    it('stats: CPU, memory, pids numbers from the cgroup', async () => {
      await new Promise((r) => setTimeout(r, 300));
      const s = await fx.runtime.stats(id);
      assert.ok(s.cpu.totalNs > 0, 'cpu usage');
      assert.ok(s.cpu.systemCpuNs > 0, 'system cpu');
      assert.ok(s.memory.usage > 0, 'memory usage');
      assert.equal(s.memory.limit, 64 * 1024 * 1024);
      assert.ok(s.pids.current >= 1, 'pids');
      assert.equal(s.pids.limit, 50);
      assert.ok(s.cpu.onlineCpus >= 1);
    });

    it('applies the memory limit to the cgroup, and update changes it', async () => {
      const v2 = (await cgroupVersion()) === '2';
      const dir = controllerDir(`${TEST_CGROUP_PARENT}/${id}`, 'memory', v2);
      const file = v2 ? 'memory.max' : 'memory.limit_in_bytes';
      assert.equal(Number(await readFile(`${dir}/${file}`, 'utf8')), 64 * 1024 * 1024);
      await fx.runtime.update(id, { memory: 96 * 1024 * 1024, memorySwap: -1 });
      assert.equal(Number(await readFile(`${dir}/${file}`, 'utf8')), 96 * 1024 * 1024);
    });

    it('processes lists the container pids', async () => {
      const pids = await fx.runtime.processes(id);
      const { pid } = await fx.runtime.state(id);
      assert.ok(pids.includes(pid), `${pid} in ${pids.join(',')}`);
    });

    it('recover finds it with its conmon and runc state', async () => {
      const found = (await fx.runtime.recover()).find((c) => c.id === id);
      assert.ok(found);
      assert.equal(found.conmonAlive, true);
      assert.equal(found.state?.status, 'running');
      assert.equal(found.exit, null);
    });

    it('delete without force is a conflict while running', async () => {
      await assert.rejects(fx.runtime.delete(id), { kind: 'conflict' });
    });
  });

  it('refuses an rlimit above the daemon hard limit, and leaves nothing behind', async () => {
    const id = fx.newId();
    const spec = fx.spec(id, ['true']);
    spec.process.rlimits = [{ name: 'nofile', soft: 1024, hard: 10_000_000 }];
    await assert.rejects(fx.runtime.create(spec, { tty: false, openStdin: false, logPath: fx.logPath(id) }), (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'invalid');
      assert.match(err.message, /ulimit nofile=1024:10000000 exceeds the daemon's hard limit for nofile/);
      return true;
    });
    assert.equal((await fx.runtime.recover()).some((c) => c.id === id), false);
  });

  it('reports runc failures and leaves nothing behind (missing executable)', async () => {
    const id = fx.newId();
    await assert.rejects(
      fx.runtime.create(fx.spec(id, ['/no/such/binary']), { tty: false, openStdin: false, logPath: fx.logPath(id) }),
      /OCI runtime create failed: .*\/no\/such\/binary.*no such file or directory/,
    );
    assert.equal((await fx.runtime.recover()).some((c) => c.id === id), false);
    await assert.rejects(fx.runtime.state(id), { kind: 'notFound' });
  });

  it('a container outlives the Node process that created it; a later process gets its exit code', async () => {
    const id = fx.newId();
    const spec = fx.spec(id, ['sh', '-c', 'sleep 1; echo done; exit 42']);
    const child = fileURLToPath(new URL('./test-child-create.js', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      const p = execFile(process.execPath, [child, fx.root], (err, out, errText) => (err ? reject(new Error(errText || err.message)) : resolve(out)));
      p.stdin!.end(JSON.stringify({ spec, io: { tty: false, openStdin: false, logPath: fx.logPath(id) } }));
    });
    const { conmonPid } = JSON.parse(stdout) as { conmonPid: number };
    assert.equal((await fx.runtime.state(id)).status, 'running');
    const status = await readFile(`/proc/${conmonPid}/status`, 'utf8');
    assert.match(status, /^Name:\s+conmon/m, 'conmon still runs');
    const exit = await fx.runtime.waitExit(id);
    assert.equal(exit.exitCode, 42);
    assert.equal((await collectLog(fx.logPath(id))).map((e) => e.line.toString()).join(), 'done');
    const found = (await fx.runtime.recover()).find((c) => c.id === id);
    assert.equal(found?.exit?.exitCode, 42);
    assert.equal(found?.conmonAlive, false);
    assert.equal(found?.state?.status, 'stopped');
    await fx.runtime.delete(id);
  });

  it('measures create+start of `true` and conmon memory', async (t) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = fx.newId();
      const t0 = performance.now();
      await fx.runtime.create(fx.spec(id, ['true']), { tty: false, openStdin: false, logPath: fx.logPath(id) });
      await fx.runtime.start(id);
      times.push(performance.now() - t0);
      await fx.runtime.waitExit(id);
      await fx.runtime.delete(id);
    }
    const id = fx.newId();
    const { conmonPid } = await fx.runtime.create(fx.spec(id, ['sleep', '30']), { tty: false, openStdin: false, logPath: fx.logPath(id) });
    await fx.runtime.start(id);
    const status = await readFile(`/proc/${conmonPid}/status`, 'utf8');
    const rollup = await readFile(`/proc/${conmonPid}/smaps_rollup`, 'utf8').catch(() => '');
    const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    times.sort((a, b) => a - b);
    t.diagnostic(`create+start of true: median ${times[2]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[4]!.toFixed(1)} ms`);
    t.diagnostic(`conmon per container: VmRSS ${kb(status, 'VmRSS')} kB, Pss ${kb(rollup, 'Pss')} kB`);
    assert.ok(kb(status, 'VmRSS') < 8 * 1024);
    await fx.runtime.delete(id, { force: true });
  });

  it('--init: tini runs as pid 1 and the command under it', async () => {
    const id = fx.newId();
    await fx.runtime.create(fx.spec(id, ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; echo $$'], { init: '/usr/bin/tini-static' }), {
      tty: false, openStdin: false, logPath: fx.logPath(id),
    });
    await fx.runtime.start(id);
    assert.equal((await fx.runtime.waitExit(id)).exitCode, 0);
    const lines = (await collectLog(fx.logPath(id))).map((e) => e.line.toString());
    assert.match(lines[0]!, /^\/sbin\/docker-init -- sh -c/);
    assert.notEqual(lines[1], '1');
    await fx.runtime.delete(id);
  });

  it('reports an OOM kill', async () => {
    const id = fx.newId();
    const spec = fx.spec(id, ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived'], {
      resources: { memory: 16 * 1024 * 1024, memorySwap: 16 * 1024 * 1024 },
    });
    await fx.runtime.create(spec, { tty: false, openStdin: false, logPath: fx.logPath(id) });
    await fx.runtime.start(id);
    const exit = await fx.runtime.waitExit(id);
    assert.equal(exit.oomKilled, true, `exit ${exit.exitCode}`);
    await fx.runtime.delete(id);
  });

  it('errors: unknown container, exec in a stopped one, bad signal', async () => {
    await assert.rejects(fx.runtime.attach('f'.repeat(64)), { kind: 'notFound' });
    await assert.rejects(fx.runtime.waitExit('f'.repeat(64)), { kind: 'notFound' });
    await assert.rejects(fx.runtime.state('../etc'), { kind: 'invalid' });
    const id = fx.newId();
    await fx.runtime.create(fx.spec(id, ['true']), { tty: false, openStdin: false, logPath: fx.logPath(id) });
    await assert.rejects(fx.runtime.kill(id, 'SIGNOPE'), { kind: 'invalid' });
    await fx.runtime.start(id);
    await fx.runtime.waitExit(id);
    await assert.rejects(fx.runtime.start(id), { kind: 'conflict' });
    await assert.rejects(fx.runtime.exec(id, fx.spec(id, ['true']).process, { tty: false, openStdin: false, detach: true }), { kind: 'conflict' });
    await fx.runtime.delete(id);
  });
});

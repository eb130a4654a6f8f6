/**
 * The container lifecycle of the seed notes, driven through berthd with the
 * real docker CLI (the berth CLI's own run is compared in cli tests).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, TestDaemon } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Paths under `dir` (two levels deep: the layer store's driver dir, then its layers) named `name`. */
function namedAfter(dir: string, name: string): string[] {
  const found: string[] = [];
  for (const first of readdirSync(dir, { withFileTypes: true })) {
    if (first.name === name) found.push(join(dir, first.name));
    if (first.isDirectory()) for (const second of readdirSync(join(dir, first.name))) if (second === name) found.push(join(dir, first.name, second));
  }
  return found;
}

describe('containers through berthd', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let scratch: string;
  const docker = (...args: string[]) => daemon.docker(args);

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-ctr-'));
    const imported = docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    spawnSync('tmux', ['kill-session', '-t', 'berth-it-test']);
    await daemon?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('run prints output and propagates exit codes; --rm removes', () => {
    const hello = docker('run', '--rm', 'busybox', 'echo', 'hello');
    assert.equal(hello.stdout, 'hello\n', hello.stderr);
    assert.equal(docker('run', '--name', 'three', 'busybox', 'sh', '-c', 'exit 3').code, 3);
    assert.equal(docker('inspect', '-f', '{{.State.ExitCode}} {{.State.Status}}', 'three').stdout.trim(), '3 exited');
    assert.equal(docker('ps', '-a', '-q', '--filter', 'status=exited').stdout.trim().split('\n').length, 1, 'the --rm one is gone');
    const notFound = docker('run', '--rm', 'busybox', 'nosuchcommand');
    assert.equal(notFound.code, 127, notFound.stderr);
    assert.match(notFound.stderr, /executable file not found/);
  });

  test('a detached web container: ps, inspect, exec, top, logs, stop, kill', () => {
    const id = docker('run', '-d', '--name', 'web', '-e', 'GREETING=hi there', 'busybox', 'sh', '-c', 'echo started; echo oops >&2; exec sleep 300').stdout.trim();
    assert.match(id, /^[a-f0-9]{64}$/);
    assert.match(docker('ps').stdout, /web\n$/);
    const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', 'web').stdout);
    assert.ok(pid > 1, 'a real host pid');
    assert.ok(spawnSync('kill', ['-0', String(pid)]).status === 0, 'the pid is alive');
    const exec = docker('exec', 'web', 'sh', '-c', 'echo "$GREETING" from $(hostname); exit 4');
    assert.equal(exec.stdout, `hi there from ${id.slice(0, 12)}\n`);
    assert.equal(exec.code, 4);
    assert.match(docker('top', 'web').stdout, /sleep 300/);
    const logs = docker('logs', 'web');
    assert.equal(logs.stdout, 'started\n');
    assert.equal(logs.stderr, 'oops\n');
    assert.equal(docker('stop', '-t', '1', 'web').code, 0);
    assert.match(docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'web').stdout, /^exited 137/);
    assert.equal(docker('start', 'web').code, 0);
    assert.equal(docker('kill', 'web').code, 0);
    const again = docker('kill', 'web');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is not running/);
  });

  test('pause and unpause freeze the container', () => {
    docker('run', '-d', '--name', 'frozen', 'busybox', 'sleep', '300');
    assert.equal(docker('pause', 'frozen').code, 0);
    assert.match(docker('ps', '--filter', 'name=frozen', '--format', '{{.Status}}').stdout, /\(Paused\)/);
    assert.equal(docker('exec', 'frozen', 'true').code, 1, 'exec in a paused container is refused');
    assert.equal(docker('unpause', 'frozen').code, 0);
    assert.equal(docker('exec', 'frozen', 'true').code, 0);
  });

  test('create then start -a; commit then run the new image; diff; cp both ways', async () => {
    docker('create', '--name', 'maker', 'busybox', 'sh', '-c', 'echo made > /made.txt; rm /bin/vi; echo done');
    assert.equal(docker('start', '-a', 'maker').stdout, 'done\n');
    const diff = docker('diff', 'maker').stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(diff, ['A /made.txt', 'C /bin', 'D /bin/vi']);
    const committed = docker('commit', '-c', 'CMD ["cat", "/made.txt"]', 'maker', 'made:1');
    assert.equal(committed.code, 0, committed.stderr);
    assert.equal(docker('run', '--rm', 'made:1').stdout, 'made\n');
    assert.equal(docker('run', '--rm', 'made:1', 'ls', '/bin/vi').code, 1, 'the deletion is in the image');
    const out = join(scratch, 'made.txt');
    assert.equal(docker('cp', 'maker:/made.txt', out).code, 0);
    assert.equal(await readFile(out, 'utf8'), 'made\n');
    await writeFile(join(scratch, 'in.txt'), 'from host\n');
    assert.equal(docker('cp', join(scratch, 'in.txt'), 'maker:/tmp/').code, 0);
    docker('commit', 'maker', 'made:2');
    assert.equal(docker('run', '--rm', 'made:2', 'cat', '/tmp/in.txt').stdout, 'from host\n');
  });

  test('stats --no-stream reports memory and pids of a running container', () => {
    docker('run', '-d', '--name', 'busy', '-m', '64m', 'busybox', 'sleep', '300');
    const stats = docker('stats', '--no-stream', '--format', '{{.MemUsage}} {{.PIDs}}', 'busy');
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, /\/ 64MiB 1\n$/);
  });

  test('run flags reach the container: --init, --read-only, --tmpfs, --ulimit, caps, no-new-privileges, limits, health, update', async () => {
    const out = (...args: string[]) => {
      const r = docker('run', '--rm', ...args);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    assert.match(out('--init', 'busybox', 'ps', '-o', 'pid,comm'), /^\s*1 docker-init$/m);
    assert.match(out('--read-only', 'busybox', 'sh', '-c', 'touch /x 2>&1; true'), /Read-only file system/);
    assert.match(out('--read-only', '--tmpfs', '/run:size=1m', 'busybox', 'sh', '-c', 'touch /run/x && grep " /run " /proc/mounts'), /tmpfs \/run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k/);
    assert.equal(out('--ulimit', 'nofile=512:1024', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn'), '512\n1024\n');
    assert.match(out('--cap-drop', 'ALL', 'busybox', 'grep', 'CapEff', '/proc/self/status'), /CapEff:\s+0000000000000000/);
    assert.match(out('busybox', 'grep', 'CapEff', '/proc/self/status'), /CapEff:\s+00000000a80425fb/, "Docker's 14 default capabilities");
    assert.match(out('--security-opt', 'no-new-privileges', 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status'), /NoNewPrivs:\s+1/);
    assert.equal(out('-m', '32m', '--pids-limit', '20', 'busybox', 'sh', '-c', 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max'), '33554432\n20\n');
    assert.match(out('--shm-size', '16m', 'busybox', 'df', '-k', '/dev/shm'), /^shm\s+16384\s/m);
    assert.match(daemon.berth(['run', '--rm', '--shm-size', '16m', 'busybox', 'df', '-k', '/dev/shm']).stdout, /^shm\s+16384\s/m);
    docker('run', '-d', '--name', 'checked', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '60');
    for (let i = 0; i < 50 && !/healthy/.test(docker('inspect', '-f', '{{.State.Health.Status}}', 'checked').stdout); i++) await sleep(100);
    assert.equal(docker('inspect', '-f', '{{.State.Health.Status}}', 'checked').stdout.trim(), 'healthy');
    assert.match(docker('ps', '--filter', 'health=healthy', '--format', '{{.Names}} {{.Status}}').stdout, /^checked Up .* \(healthy\)$/m);
    assert.equal(docker('update', '-m', '64m', '--memory-swap', '128m', 'checked').code, 0);
    assert.equal(docker('exec', 'checked', 'cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes').stdout, '67108864\n');
  });

  test('restart policies: on-failure counts, always comes back', async () => {
    docker('run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 1');
    for (let i = 0; i < 50 && docker('inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'flaky').stdout.trim() !== '2 exited'; i++) await sleep(100);
    assert.equal(docker('inspect', '-f', '{{.RestartCount}} {{.State.Status}}', 'flaky').stdout.trim(), '2 exited');
  });

  test('-it through a pty: shell, detach with ctrl-p ctrl-q, attach again, exit code', async () => {
    const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
    const screen = () => tmux('capture-pane', '-t', 'berth-it-test', '-p').stdout;
    const env = `DOCKER_HOST=${daemon.host} DOCKER_CONFIG=${join(daemon.dir, 'docker-config')}`;
    tmux('new-session', '-d', '-s', 'berth-it-test', '-x', '120', '-y', '30', `${env} ${DOCKER_CLI} run -it --name shell busybox sh; echo EXIT=$?; sleep 60`);
    const until = async (pattern: RegExp) => {
      for (let i = 0; i < 50 && !pattern.test(screen()); i++) await sleep(100);
      assert.match(screen(), pattern);
    };
    await until(/^\/ #\s*$/m);
    tmux('send-keys', '-t', 'berth-it-test', 'echo $((6*7)); stty size', 'Enter');
    await until(/^42$/m);
    assert.match(screen(), /^30 120$/m);
    tmux('send-keys', '-t', 'berth-it-test', 'C-p', 'C-q');
    await until(/EXIT=0/);
    assert.match(docker('inspect', '-f', '{{.State.Status}}', 'shell').stdout, /running/);
    tmux('kill-session', '-t', 'berth-it-test');
    tmux('new-session', '-d', '-s', 'berth-it-test', '-x', '120', '-y', '30', `${env} ${DOCKER_CLI} attach shell; echo EXIT=$?; sleep 60`);
    await sleep(500);
    tmux('send-keys', '-t', 'berth-it-test', 'exit 7', 'Enter');
    await until(/EXIT=7/);
    tmux('kill-session', '-t', 'berth-it-test');
  });

  test('kill -9 of berthd: containers keep running, exits while down are picked up', async () => {
    docker('rm', '-f', 'survivor', 'finisher');
    docker('run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done');
    docker('run', '-d', '--name', 'finisher', 'busybox', 'sh', '-c', 'sleep 1; echo bye; exit 9');
    const pid = docker('inspect', '-f', '{{.State.Pid}}', 'survivor').stdout.trim();
    await daemon.kill('SIGKILL');
    await sleep(1500);
    assert.equal(spawnSync('kill', ['-0', pid]).status, 0, 'the container process outlived berthd');
    await daemon.launch();
    assert.equal(docker('inspect', '-f', '{{.State.Status}} {{.State.Pid}}', 'survivor').stdout.trim(), `running ${pid}`);
    assert.equal(docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'finisher').stdout.trim(), 'exited 9');
    assert.equal(docker('logs', 'finisher').stdout, 'bye\n');
    const ticks = docker('logs', 'survivor').stdout.trim().split('\n');
    assert.ok(ticks.length >= 8, `logs kept growing while berthd was down (${ticks.length} lines)`);
    ticks.forEach((line, i) => assert.equal(line, `tick ${i}`));
  });

  test('a create that a crash cut short (its network record not yet written) is discarded at the next start', async () => {
    const made = docker('create', '--name', 'halfmade', 'busybox', 'true');
    assert.equal(made.code, 0, made.stderr);
    const id = made.stdout.trim();
    const networkRecord = join(daemon.dataRoot, 'network', 'containers', `${id}.json`);
    assert.ok(existsSync(networkRecord), 'create wrote the network record');
    assert.equal(namedAfter(join(daemon.dataRoot, 'layers'), id).length, 1, 'create made the rw layer');
    await daemon.kill('SIGKILL');
    // What a power loss between the two records' fsyncs can leave: the container's record without the network's.
    await rm(networkRecord);
    await daemon.launch();
    assert.match(docker('inspect', 'halfmade').stderr, /No such (container|object): halfmade/);
    assert.ok(!existsSync(join(daemon.dataRoot, 'containers', id)), 'its directory is gone');
    assert.deepEqual(namedAfter(join(daemon.dataRoot, 'layers'), id), [], 'its rw layer is gone');
    const again = docker('create', '--name', 'halfmade', 'busybox', 'true');
    assert.equal(again.code, 0, again.stderr);
    docker('rm', 'halfmade');
  });

  test('stop, start and rm back to back (the exit\'s runtime state deleted off the lock); berthd killed right after the rm leaves nothing of the container', async () => {
    const runtimeRoot = join(daemon.dir, 'exec', 'runtime');
    const made = docker('run', '-d', '--name', 'backtoback', '--network', 'none', 'busybox', 'sh', '-c', "trap 'exit 0' TERM; sleep 300 & wait");
    assert.equal(made.code, 0, made.stderr);
    const id = made.stdout.trim();
    // A start right after a stop runs its own runtime deletion after the exit's, never beside or before it.
    for (let i = 0; i < 3; i++) {
      assert.equal(docker('stop', 'backtoback').code, 0);
      const started = docker('start', 'backtoback');
      assert.equal(started.code, 0, started.stderr);
      assert.equal(docker('inspect', '-f', '{{.State.Running}}', 'backtoback').stdout.trim(), 'true');
    }
    assert.equal(docker('stop', 'backtoback').code, 0);
    const removed = docker('rm', 'backtoback');
    assert.equal(removed.code, 0, removed.stderr);
    // Whatever of the exit's and the rm's runtime deletions had not run yet when berthd died is recovery's.
    await daemon.kill('SIGKILL');
    await daemon.launch();
    assert.match(docker('inspect', 'backtoback').stderr, /No such (container|object): backtoback/);
    assert.ok(!existsSync(join(daemon.dataRoot, 'containers', id)), 'its record is gone');
    assert.deepEqual(namedAfter(join(daemon.dataRoot, 'layers'), id), [], 'its rw layer is gone');
    assert.ok(!existsSync(join(runtimeRoot, id)), 'its bundle is gone');
    assert.ok(!existsSync(join(runtimeRoot, 'runc', id)), "runc's state of it is gone");
    const again = docker('run', '--rm', '--name', 'backtoback', '--network', 'none', 'busybox', 'true');
    assert.equal(again.code, 0, again.stderr);
  });

  test('with --live-restore=false, stopping berthd stops containers; restart policies bring them back', async () => {
    const other = await TestDaemon.start(['--live-restore=false']);
    try {
      other.docker(['import', await busyboxRootfs(), 'bb:1']);
      other.docker(['run', '-d', '--name', 'plain', 'bb:1', 'sleep', '300']);
      other.docker(['run', '-d', '--name', 'always', '--restart', 'always', 'bb:1', 'sleep', '300']);
      assert.equal(await other.kill('SIGTERM'), 0);
      await other.launch(['--live-restore=false']);
      const states = other.docker(['ps', '-a', '--format', '{{.Names}} {{.State}}']).stdout.split('\n').sort().join(' ');
      assert.equal(states.trim(), 'always running plain exited');
    } finally {
      await other.stop();
    }
  });

  test('networking: a published port answers on the host loopback; user networks resolve names and are isolated', async () => {
    await writeFile(join(scratch, 'index.html'), 'served by busybox\n');
    const port = 20000 + (process.pid % 20000);
    const web = docker('run', '-d', '--name', 'httpd', '-p', `127.0.0.1:${port}:80`, '-v', `${scratch}:/www:ro`, 'busybox', 'httpd', '-f', '-h', '/www');
    assert.equal(web.code, 0, web.stderr);
    assert.match(docker('port', 'httpd').stdout, new RegExp(`^80/tcp -> 127\\.0\\.0\\.1:${port}$`, 'm'));
    let body = '';
    for (let i = 0; i < 30 && body === ''; i++) {
      body = await fetch(`http://127.0.0.1:${port}/index.html`).then((r) => r.text(), () => '');
      if (body === '') await sleep(100);
    }
    assert.equal(body, 'served by busybox\n');
    assert.equal(docker('network', 'create', 'front').code, 0);
    assert.equal(docker('network', 'create', 'back').code, 0);
    docker('run', '-d', '--name', 'api', '--network', 'front', 'busybox', 'sleep', '300');
    const ip = docker('inspect', '-f', '{{.NetworkSettings.Networks.front.IPAddress}}', 'api').stdout.trim();
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    const lookup = docker('run', '--rm', '--network', 'front', 'busybox', 'nslookup', 'api');
    assert.match(lookup.stdout, new RegExp(ip.replace(/\./g, '\\.')), lookup.stdout + lookup.stderr);
    const ping = docker('run', '--rm', '--network', 'front', 'busybox', 'ping', '-c', '1', '-W', '2', 'api');
    assert.equal(ping.code, 0, ping.stdout + ping.stderr);
    const isolated = docker('run', '--rm', '--network', 'back', 'busybox', 'ping', '-c', '1', '-W', '1', ip);
    assert.notEqual(isolated.code, 0, 'another network cannot reach it');
    const inUse = docker('network', 'rm', 'front');
    assert.notEqual(inUse.code, 0);
    docker('rm', '-f', 'api', 'httpd');
    assert.equal(docker('network', 'rm', 'front', 'back').code, 0);
  });

  test('with --userland-proxy=false, a published port on 127.0.0.1 is reached through iptables alone', async () => {
    const other = await TestDaemon.start(['--userland-proxy=false']);
    try {
      other.docker(['import', await busyboxRootfs(), 'bb:1']);
      await writeFile(join(scratch, 'index.html'), 'no proxy\n');
      const port = 40000 + (process.pid % 20000);
      const run = other.docker(['run', '-d', '-p', `127.0.0.1:${port}:80`, '-v', `${scratch}:/www:ro`, 'bb:1', 'httpd', '-f', '-h', '/www']);
      assert.equal(run.code, 0, run.stderr);
      let body = '';
      for (let i = 0; i < 30 && body === ''; i++) {
        body = await fetch(`http://127.0.0.1:${port}/index.html`).then((r) => r.text(), () => '');
        if (body === '') await sleep(100);
      }
      assert.equal(body, 'no proxy\n');
    } finally {
      await other.stop();
    }
  });

  test('bad input gets Docker\'s errors and leaves nothing behind', () => {
    const before = docker('ps', '-aq').stdout;
    const taken = docker('run', '-d', '--name', 'survivor', 'busybox', 'true');
    assert.equal(taken.code, 125);
    assert.match(taken.stderr, /Conflict\. The container name "\/survivor" is already in use/);
    assert.match(docker('start', 'nosuch').stderr, /No such container: nosuch/);
    const stopped = docker('exec', 'three', 'true');
    assert.notEqual(stopped.code, 0);
    assert.match(stopped.stderr, /is not running/);
    const memory = docker('run', '-m', '1x', 'busybox', 'true');
    assert.equal(memory.code, 125);
    const tooSmall = docker('run', '-m', '1k', 'busybox', 'true');
    assert.equal(tooSmall.code, 125);
    assert.match(tooSmall.stderr, /Minimum memory limit allowed is 6MB/);
    assert.equal(docker('run', '--restart', 'sometimes', 'busybox', 'true').code, 125);
    const ulimit = docker('run', '--ulimit', 'nofile=1024:10000000', 'busybox', 'true');
    assert.notEqual(ulimit.code, 0);
    assert.match(ulimit.stderr, /nofile/);
    const isolation = docker('run', '--isolation', 'hyperv', 'busybox', 'true');
    assert.equal(isolation.code, 125);
    assert.match(isolation.stderr, /Invalid isolation: "hyperv" - linux only supports 'default'/);
    const after = docker('ps', '-aq').stdout;
    // Only the failed ulimit run leaves a created container behind, as Docker's does (it fails at start).
    assert.ok(after.split('\n').length <= before.split('\n').length + 1);
  });

  test('the berth CLI drives the same lifecycle', () => {
    const berth = (...args: string[]) => daemon.berth(args);
    assert.equal(berth('run', '--rm', 'busybox', 'echo', 'via berth').stdout, 'via berth\n');
    assert.equal(berth('run', 'busybox', 'sh', '-c', 'exit 6').code, 6);
    const id = berth('run', '-d', '--name', 'bweb', 'busybox', 'sleep', '300').stdout.trim();
    assert.match(id, /^[a-f0-9]{64}$/);
    assert.match(berth('ps', '--format', '{{.Names}} {{.Status}}').stdout, /^bweb Up /m);
    assert.equal(berth('exec', 'bweb', 'sh', '-c', 'echo $0; exit 2').code, 2);
    assert.equal(berth('inspect', '-f', '{{.State.Pid}}', 'bweb').stdout.trim(), docker('inspect', '-f', '{{.State.Pid}}', 'bweb').stdout.trim());
    assert.match(berth('top', 'bweb').stdout, /sleep 300/);
    assert.equal(berth('stop', '-t', '1', 'bweb').stdout, 'bweb\n');
    assert.equal(berth('rm', 'bweb').stdout, 'bweb\n');
    assert.match(berth('rm', 'bweb').stderr, /No such container: bweb/);
  });

  test('rm -f of everything leaves no mounts or runtime state', () => {
    const ids = docker('ps', '-aq').stdout.trim().split('\n').filter(Boolean);
    assert.equal(docker('rm', '-f', ...ids).code, 0);
    assert.equal(docker('ps', '-aq').stdout, '');
    const mounts = spawnSync('grep', ['-c', daemon.dir, '/proc/self/mountinfo'], { encoding: 'utf8' }).stdout.trim();
    assert.equal(mounts, '0');
  });
});

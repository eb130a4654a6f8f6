/**
 * Operating berthd: daemon.json keys (labels, log-driver/log-opts with
 * rotation, default-ulimits), --validate, strictness about unknown and
 * unsupported keys, --api-cors-header, --log-format json, /info warnings,
 * and `logs -f` following a container's output across log rotations.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { busyboxRootfs, DOCKER_CLI, killProcessesMentioning, removeNetworking, ROOT, run, TestDaemon, unmountUnder } from './harness.js';

const berthd = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin', 'berthd'), ...args], { encoding: 'utf8', timeout: 30_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('operating berthd', () => {
  let daemon: TestDaemon;
  const daemonJson = {
    labels: ['env=ops-test', 'tier=1'],
    'log-driver': 'json-file',
    'log-opts': { 'max-size': '2k', 'max-file': '3' },
    'default-ulimits': { nofile: { Name: 'nofile', Soft: 1111, Hard: 2222 } },
    'ip-forward': true,
    'api-cors-header': 'https://dashboard.example',
    'log-format': 'json',
  };
  const ok = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  before(async () => {
    daemon = await TestDaemon.start([], daemonJson);
    ok(daemon.berth(['import', await busyboxRootfs(), 'ops:latest']));
  });
  after(async () => {
    await daemon?.stop();
  });

  test('--validate accepts the configuration and names what is wrong in a bad one', () => {
    const good = berthd(['--validate', '--config-file', join(daemon.dir, 'daemon.json')]);
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout, 'configuration OK\n');
    const check = (json: unknown, pattern: RegExp) => {
      const file = join(daemon.dir, 'check.json');
      writeFileSync(file, JSON.stringify(json));
      const r = berthd(['--validate', '--config-file', file]);
      assert.equal(r.status, 1, JSON.stringify(json));
      assert.match(r.stderr, pattern);
    };
    check({ 'log-levle': 'debug' }, /the following directives don't match any configuration option: log-levle/);
    check({ 'log-driver': 'syslog' }, /logging driver "syslog" is not supported by berthd/);
    check({ 'log-opts': { 'max-size': 'lots' } }, /invalid size: 'lots'/);
    check({ 'log-opts': { compress: 'true' } }, /unknown log opt 'compress' for json-file log driver/);
    check({ runtimes: { crun: { path: '/usr/bin/crun' } } }, /runtime crun: berthd runs containers with runc only/);
    check({ 'default-runtime': 'crun' }, /default runtime crun does not exist/);
    check({ labels: ['novalue'] }, /bad attribute format: novalue/);
    check({ 'default-ulimits': { nofile: { Name: 'nofile', Soft: 10, Hard: 5 } } }, /soft limit must be less than or equal to hard limit/);
    check({ tlsverify: true, tls: false }, /conflicting options: --tls=false with --tlsverify/);
  });

  test('labels, the log driver and warnings show in info', () => {
    const info = JSON.parse(ok(daemon.berth(['info', '--format', '{{json .}}']))) as { Labels: string[]; LoggingDriver: string; Warnings: string[] | null };
    assert.deepEqual(info.Labels, ['env=ops-test', 'tier=1']);
    assert.equal(info.LoggingDriver, 'json-file');
    // A Go nil slice when there is nothing to warn of, as dockerd.
    assert.ok(info.Warnings === null || info.Warnings.length > 0);
    if (DOCKER_CLI) assert.match(ok(daemon.docker(['info'])), /Labels:\n\s+env=ops-test\n\s+tier=1/);
  });

  test('containers get the default log config and ulimits, their own settings win', () => {
    const id = ok(daemon.berth(['create', 'ops:latest', 'true']));
    assert.equal(ok(daemon.berth(['inspect', '--format', '{{json .HostConfig.LogConfig}}', id])), '{"Type":"json-file","Config":{"max-file":"3","max-size":"2k"}}');
    assert.equal(ok(daemon.berth(['run', '--rm', 'ops:latest', 'sh', '-c', 'ulimit -n; ulimit -Hn'])), '1111\n2222');
    assert.equal(ok(daemon.berth(['run', '--rm', '--ulimit', 'nofile=300:400', 'ops:latest', 'sh', '-c', 'ulimit -n; ulimit -Hn'])), '300\n400');
    if (!DOCKER_CLI) return;
    // berth run has no --log-driver/--log-opt yet: the docker CLI sends a container's own log config, which the daemon's options fill in (moby's rule).
    const own = ok(daemon.docker(['create', '--log-opt', 'max-size=5k', 'ops:latest', 'true']));
    assert.equal(ok(daemon.docker(['inspect', '--format', '{{json .HostConfig.LogConfig}}', own])), '{"Type":"json-file","Config":{"max-file":"3","max-size":"5k"}}');
    const refused = daemon.docker(['run', '--rm', '--log-driver', 'syslog', 'ops:latest', 'true']);
    assert.equal(refused.code, 125);
    assert.match(refused.stderr, /logging driver "syslog" is not supported/);
  });

  test('json-file rotation keeps max-file files of max-size, and logs -f follows across rotations', async () => {
    const id = ok(daemon.berth(['run', '-d', '--name', 'chatty', 'ops:latest', 'sh', '-c',
      'sleep 1; i=0; while [ $i -lt 400 ]; do echo line-$i; i=$((i+1)); sleep 0.01; done; sleep 300']));
    const out = join(daemon.dir, 'follow.out');
    const fd = openSync(out, 'w');
    const follower = spawn(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', daemon.host, 'logs', '-f', 'chatty'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    // The real docker CLI follows at the same time.
    const dockerOut = join(daemon.dir, 'docker-follow.out');
    const dockerFd = openSync(dockerOut, 'w');
    const dockerFollower = DOCKER_CLI ? spawn(DOCKER_CLI, ['-H', daemon.host, 'logs', '-f', 'chatty'], { stdio: ['ignore', dockerFd, dockerFd], env: { ...process.env, DOCKER_CONFIG: join(daemon.dir, 'docker-config') } }) : undefined;
    closeSync(dockerFd);
    try {
      const all = Array.from({ length: 400 }, (_, i) => `line-${i}`);
      for (const file of dockerFollower ? [out, dockerOut] : [out]) {
        const deadline = Date.now() + 30_000;
        while (!readFileSync(file, 'utf8').includes('line-399') && Date.now() < deadline) await sleep(200);
        assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n'), all, file);
      }
    } catch (err) {
      daemon.berth(['rm', '-f', 'chatty']);
      throw err;
    } finally {
      follower.kill('SIGTERM');
      dockerFollower?.kill('SIGTERM');
    }
    const dir = join(daemon.dataRoot, 'containers', id);
    const files = readdirSync(dir).filter((f) => /^ctr\.log(\.\d+)?$/.test(f)).sort();
    assert.deepEqual(files, ['ctr.log', 'ctr.log.1', 'ctr.log.2']);
    // What is kept is a contiguous, capped tail: about 3 files of 2 kB, ending with the last line.
    const kept = ok(daemon.berth(['logs', 'chatty'])).split('\n');
    assert.ok(kept.length > 40 && kept.length < 200, `kept ${kept.length} lines`);
    assert.equal(kept.at(-1), 'line-399');
    const first = Number(kept[0]!.slice('line-'.length));
    assert.deepEqual(kept, Array.from({ length: 400 - first }, (_, i) => `line-${first + i}`));
    // --tail reaches back into the rotated files when the current one holds fewer lines.
    assert.deepEqual(ok(daemon.berth(['logs', '--tail', '60', 'chatty'])).split('\n'), Array.from({ length: 60 }, (_, i) => `line-${340 + i}`));
    assert.equal(ok(daemon.berth(['logs', '--tail', '1', 'chatty'])), 'line-399');
    ok(daemon.berth(['rm', '-f', 'chatty']));
  });

  test('system prune removes stopped containers, unused networks, anonymous volumes with --volumes, and dangling images', () => {
    const container = ok(daemon.berth(['create', 'ops:latest', 'true']));
    ok(daemon.berth(['network', 'create', 'opsnet']));
    const volume = ok(daemon.berth(['volume', 'create']));
    ok(daemon.berth(['volume', 'create', 'named-kept']));
    const declined = daemon.berth(['system', 'prune', '--volumes'], 'n\n');
    assert.equal(declined.code, 0);
    assert.equal(declined.stdout, 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n'
      + '  - all anonymous volumes not used by at least one container\n  - all dangling images\n\nAre you sure you want to continue? [y/N] ');
    assert.match(ok(daemon.berth(['ps', '-a', '-q', '--no-trunc'])), new RegExp(container));
    const pruned = ok(daemon.berth(['system', 'prune', '-f', '--volumes']));
    assert.match(pruned, new RegExp(`^Deleted Containers:\n(.*\n)*${container}\n\nDeleted Networks:\nopsnet\n\nDeleted Volumes:\n${volume}\n\n(Deleted Images:\n(.*\n)+\n)?Total reclaimed space: `));
    assert.match(ok(daemon.berth(['volume', 'ls', '-q'])), /named-kept/);
    assert.equal(ok(daemon.berth(['ps', '-a', '-q'])), '');
    if (DOCKER_CLI) {
      // docker's system prune also prunes the build cache: berthd has none and answers with nothing removed.
      assert.equal(ok(daemon.docker(['system', 'prune', '-f', '--filter', 'until=1h'])), 'Total reclaimed space: 0B');
      const dockerDf = ok(daemon.docker(['system', 'df', '-v']));
      const berthDf = ok(daemon.berth(['system', 'df', '-v']));
      const headings = (text: string) => text.split('\n').filter((l) => /usage|space usage/.test(l));
      assert.deepEqual(headings(berthDf), headings(dockerDf));
    }
  });

  test('--api-cors-header answers preflights and adds CORS headers', async () => {
    const preflight = await daemon.api('OPTIONS', '/containers/json');
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://dashboard.example');
    assert.equal(preflight.headers['access-control-allow-methods'], 'HEAD, GET, POST, DELETE, PUT, OPTIONS');
    const ping = await daemon.api('GET', '/_ping');
    assert.equal(ping.headers['access-control-allow-origin'], 'https://dashboard.example');
  });

  test('--log-format json writes logrus-style JSON lines', () => {
    const lines = daemon.log().trim().split('\n').filter((l) => l.startsWith('{'));
    assert.ok(lines.length > 0, daemon.log());
    const started = lines.map((l) => JSON.parse(l) as { level: string; msg: string; time: string }).find((l) => l.msg.startsWith('berthd '));
    assert.equal(started?.level, 'info');
    assert.ok(!Number.isNaN(Date.parse(started!.time)));
  });

  test('socket activation: -H fd:// serves the socket systemd passes (LISTEN_FDS/LISTEN_PID)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-fd-'));
    const bridge = `brfd${process.pid % 10000}`;
    // The listening socket a service manager would pass as fd 3 (TCP: closing the test's copy of a
    // unix socket would unlink its path); the test's copy closes once berthd has it.
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = `tcp://127.0.0.1:${(listener.address() as { port: number }).port}`;
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    writeFileSync(join(dir, 'daemon.json'), '{}');
    const args = [join(ROOT, 'bin', 'berthd'), '-H', 'fd://', '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'),
      '--pidfile', join(dir, 'pid'), '--config-file', join(dir, 'daemon.json'), '--bridge', bridge, '--bip', `172.31.${200 + (process.pid % 40)}.1/24`];
    const log = openSync(join(dir, 'log'), 'w');
    // systemd sets LISTEN_PID to the service's own pid: `exec` keeps the shell's.
    const child = spawn('sh', ['-c', 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" "$@"', process.execPath, ...args], { stdio: ['ignore', log, log, fd] });
    closeSync(log);
    listener.close();
    try {
      let version: { code: number; stdout: string; stderr: string } = { code: -1, stdout: '', stderr: '' };
      for (let i = 0; i < 100 && version.code !== 0; i++) {
        await sleep(150);
        version = run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', address, 'info', '--format', '{{.ServerVersion}}']);
      }
      assert.equal(version.code, 0, `${version.stderr}\n${readFileSync(join(dir, 'log'), 'utf8')}`);
      assert.match(version.stdout.trim(), /^\d+\.\d+\.\d+$/);
      assert.match(readFileSync(join(dir, 'log'), 'utf8'), /API listen on fd:\/\/3/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
      removeNetworking(bridge);
      killProcessesMentioning(dir);
      unmountUnder(dir);
      await rm(dir, { recursive: true, force: true });
    }
    const validated = berthd(['-H', 'fd://', '--validate', '--config-file', join(daemon.dir, 'daemon.json')]);
    assert.equal(validated.status, 0, `validation does not need the sockets: ${validated.stderr}`);
  });

  test('the systemd units are valid and socket-activated, and leave containers running on stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-units-'));
    try {
      const service = readFileSync(join(ROOT, 'contrib', 'berthd.service'), 'utf8').replaceAll('@PREFIX@', join(ROOT));
      writeFileSync(join(dir, 'berthd.service'), service);
      writeFileSync(join(dir, 'berthd.socket'), readFileSync(join(ROOT, 'contrib', 'berthd.socket'), 'utf8'));
      assert.match(service, /^ExecStart=\S+\/bin\/berthd -H fd:\/\/$/m);
      assert.match(service, /^KillMode=process$/m);
      assert.match(service, /^ExecReload=\/bin\/kill -s HUP \$MAINPID$/m);
      const verify = run('systemd-analyze', ['verify', join(dir, 'berthd.socket'), join(dir, 'berthd.service')]);
      if (verify.code !== -1) assert.equal(verify.code, 0, verify.stderr);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

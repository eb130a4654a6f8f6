/**
 * What docker-compose 1.29 users do, beyond compose.ts's project life: build,
 * scale and ports, depends_on conditions, run, the lifecycle commands and
 * their events, logs, networks and container options, volumes and env
 * interpolation, restart policies, pull/push through a registry, abort on
 * exit, down --rmi, and berth compose reading the same projects. Every case
 * runs against berthd and dockerd 20.10 (eachTarget) with the same
 * expectations, each on its own project that is taken down (-v) after it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ROOT } from '../integration/harness.js';
import { TestRegistry } from '../integration/registry-harness.js';
import { COMPOSE, eventually, withProject, type ComposeProject } from './compose-project.js';
import { missing, runAsync, type Target } from './targets.js';

/** The head of the compose files (format 3.7, services next). */
const V37 = 'version: "3.7"\nservices:\n';

const BUILD_FILES = {
  'Dockerfile': 'FROM busybox AS base\nARG GREETING=hi\nRUN echo "$GREETING" > /greeting\nFROM base AS other\nCMD ["echo", "other"]\n',
  'Dockerfile.bad': 'FROM busybox\nRUN echo failing-step && exit 7\n',
  'docker-compose.yml': `${V37}  app:
    build:
      context: .
      args: {GREETING: hello-arg}
      target: base
      labels: {com.example.b: "two words", com.example.a: "1"}
    image: c129build/app:1
    command: ["cat", "/greeting"]
  bad:
    build: {context: ., dockerfile: Dockerfile.bad}
    profiles: [bad]
`,
};

/** A distinct /24 per process and target, outside Docker's default pools, for the static-address case. */
function subnetPrefix(target: Target): string {
  return `10.129.${(process.pid % 120) + (target.kind === 'berthd' ? 0 : 120)}`;
}

export function composeSweepCases(target: () => Target): void {
  describe('docker-compose 1.29 sweep', { skip: missing(COMPOSE, 'docker-compose') }, () => {
    test('build: args, target and labels (one LABEL step each, as dockerd), a failing build\'s message', () =>
      withProject(target(), 'build', BUILD_FILES, async (p) => {
        const built = await p.ok('build', 'app');
        // dockerd 20.10 adds build labels as one step per label, sorted, unquoted, and counts them.
        assert.match(built.stdout, /^Step 4\/5 : LABEL com\.example\.a=1$/m, built.stdout);
        assert.match(built.stdout, /^Step 5\/5 : LABEL com\.example\.b=two words$/m, built.stdout);
        assert.match(built.stdout, /^Successfully tagged c129build\/app:1$/m);
        const labels = JSON.parse(p.target.docker(['image', 'inspect', '-f', '{{json .Config.Labels}}', 'c129build/app:1']).stdout);
        assert.deepEqual(labels, { 'com.example.a': '1', 'com.example.b': 'two words' });
        assert.equal((await p.ok('run', '--rm', '-T', 'app')).stdout, 'hello-arg\n');
        const bad = await p.run('build', 'bad');
        assert.equal(bad.code, 1, bad.stderr);
        assert.match(bad.stderr, /The command '\/bin\/sh -c echo failing-step && exit 7' returned a non-zero code: 7/);
        assert.match(bad.stderr, /Service 'bad' failed to build/);
        p.target.docker(['rmi', '-f', 'c129build/app:1']);
      }));

    test('up --scale with an ephemeral port: two containers, two host ports; scale, top, port, images, config', () =>
      withProject(target(), 'scale', {
        'docker-compose.yml': `${V37}  web:
    image: busybox
    command: ["httpd", "-f", "-p", "80"]
    ports: ["80"]
  idle:
    image: busybox
    command: ["sleep", "600"]
    volumes: ["data:/data"]
volumes:
  data: {}
`,
      }, async (p) => {
        await p.ok('up', '-d', '--scale', 'web=2');
        const ports = [1, 2].map(async (i) => (await p.ok('port', `--index=${i}`, 'web', '80')).stdout.trim());
        const [one, two] = await Promise.all(ports);
        assert.match(one!, /^0\.0\.0\.0:\d+$/);
        assert.match(two!, /^0\.0\.0\.0:\d+$/);
        assert.notEqual(one, two);
        const scaled = await p.ok('scale', 'web=3');
        assert.match(scaled.stderr, /The scale command is deprecated/);
        assert.deepEqual(p.containers(), [`${p.name}_idle_1`, `${p.name}_web_1`, `${p.name}_web_2`, `${p.name}_web_3`]);
        const top = (await p.ok('top', 'web')).stdout;
        assert.equal(top.match(/httpd -f -p 80/g)?.length, 3, top);
        const images = (await p.ok('images')).stdout;
        assert.equal(images.match(/ busybox +latest /g)?.length, 4, images);
        assert.equal((await p.ok('config', '--services')).stdout, 'web\nidle\n');
        assert.equal((await p.ok('config', '--volumes')).stdout, 'data\n');
      }));

    test('depends_on: service_healthy and service_completed_successfully, and a dependency that fails', () =>
      withProject(target(), 'deps', {
        'docker-compose.yml': `services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 600"]
    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 1s, timeout: 2s, retries: 60}
  migrate:
    image: busybox
    command: ["echo", "migrated"]
  app:
    image: busybox
    command: ["sh", "-c", "echo app-started; exec sleep 600"]
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
  failing:
    image: busybox
    command: ["sh", "-c", "exit 3"]
    profiles: [fail]
  needsfail:
    image: busybox
    command: ["true"]
    profiles: [fail]
    depends_on:
      failing: {condition: service_completed_successfully}
`,
      }, async (p) => {
        await p.ok('up', '-d', 'app');
        assert.equal(p.inspect('db').State.Health?.Status, 'healthy');
        assert.equal(p.inspect('migrate').State.ExitCode, 0);
        assert.equal(p.inspect('app').State.Running, true);
        const failed = await p.run('--profile', 'fail', 'up', '-d', 'needsfail');
        assert.equal(failed.code, 1);
        assert.match(failed.stderr, /ERROR: for needsfail {2}Container "[0-9a-f]{12}" exited with code 3\./);
      }));

    test('run: its exit code, -e, --rm, --no-deps, --entrypoint, --service-ports', () =>
      withProject(target(), 'run', {
        'docker-compose.yml': `${V37}  dep:
    image: busybox
    command: ["sleep", "600"]
  tool:
    image: busybox
    command: ["echo", "default"]
    depends_on: [dep]
    environment: {FROM_FILE: base}
    ports: ["80"]
`,
      }, async (p) => {
        const exited = await p.run('run', '--rm', '-T', '-e', 'X=42', 'tool', 'sh', '-c', 'echo x=$X from=$FROM_FILE; exit 5');
        assert.equal(exited.code, 5, exited.stderr);
        assert.equal(exited.stdout, 'x=42 from=base\n');
        assert.deepEqual(p.containers(), [`${p.name}_dep_1`], '--rm removed the run container, its dependency stays');
        await p.ok('rm', '-f', '-s', 'dep');
        const entry = await p.ok('run', '--rm', '-T', '--no-deps', '--entrypoint', '/bin/echo', 'tool', 'hello', 'entry');
        assert.equal(entry.stdout, 'hello entry\n');
        assert.deepEqual(p.containers(), [], '--no-deps started no dependency');
        const detached = await p.ok('run', '-d', '--no-deps', '--service-ports', 'tool', 'httpd', '-f', '-p', '80');
        const name = detached.stdout.trim();
        assert.match(name, new RegExp(`^${p.name}_tool_run_[0-9a-f]{12}$`));
        assert.match(p.target.docker(['port', name, '80']).stdout, /^0\.0\.0\.0:\d+$/m, '--service-ports published the service\'s port');
      }));

    test('stop, start, restart, kill -s, pause, unpause, rm -f -s; events --json in Go\'s attribute order', () =>
      withProject(target(), 'life', {
        'docker-compose.yml': `${V37}  a:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  b:
    image: busybox
    command: ["sleep", "600"]
`,
      }, async (p) => {
        await p.ok('up', '-d');
        const events = p.background('events', '--json');
        try {
          // events has subscribed once a pause shows in it.
          await eventually(async () => (await p.ok('pause', 'a'), await p.ok('unpause', 'a'), events.output().includes('"action": "unpause"')), 'events --json to follow');
          await p.ok('restart', '-t', '0', 'b');
          await eventually(() => events.output().includes('"action": "restart"'), 'the restart event');
        } finally {
          await events.stop();
        }
        const lines = events.output().split('\n').filter((l) => l.includes('"service": "b"')).map((l) => JSON.parse(l) as { action: string; attributes: Record<string, string> });
        // dockerd 20.10's restart stops (kill, die, stop), then starts; attributes come sorted, as Go writes a map.
        assert.deepEqual(lines.map((l) => l.action).filter((a) => a !== 'kill'), ['die', 'stop', 'start', 'restart'], events.output());
        const die = lines.find((l) => l.action === 'die')!;
        assert.deepEqual(Object.keys(die.attributes), ['exitCode', 'image', 'name']);
        await p.ok('stop', '-t', '5', 'a');
        assert.equal(p.inspect('a').State.ExitCode, 0, 'a stopped on its TERM trap');
        await p.ok('start', 'a');
        await p.ok('kill', '-s', 'SIGKILL', 'b');
        assert.equal(p.inspect('b').State.ExitCode, 137);
        await p.ok('pause', 'a');
        assert.equal(p.inspect('a').State.Status, 'paused');
        await p.ok('unpause', 'a');
        const removed = await p.ok('rm', '-f', '-s', 'a');
        assert.match(removed.stderr, new RegExp(`Stopping ${p.name}_a_1 \\.\\.\\. done`));
        assert.deepEqual(p.containers(), [`${p.name}_b_1`]);
      }));

    test('logs -f --tail ends with the container, logs -t prefixes RFC 3339 times', () =>
      withProject(target(), 'logs', {
        'docker-compose.yml': `${V37}  talk:
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3 4 5; do echo line$$i; done"]
`,
      }, async (p) => {
        await p.ok('up', '-d');
        await eventually(() => !p.inspect('talk').State.Running, 'talk to finish');
        const followed = await p.ok('logs', '-f', '--tail', '2', '--no-color');
        assert.equal(followed.stdout, `Attaching to ${p.name}_talk_1\ntalk_1  | line4\ntalk_1  | line5\n${p.name}_talk_1 exited with code 0\n`);
        const stamped = await p.ok('logs', '-t', '--tail=1', '--no-color');
        assert.match(stamped.stdout, /^talk_1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line5$/m);
      }));

    test('networks (aliases, ipam subnet, ipv4_address, external), network_mode/pid/ipc service:, ulimits, sysctls, tmpfs, cap_add, init, stop_signal', async () => {
      const t = target();
      const external = `c${process.pid}${t.kind[0]}ext`;
      assert.equal(t.docker(['network', 'create', external]).code, 0);
      assert.equal(t.docker(['volume', 'create', external]).code, 0);
      try {
        await withProject(t, 'net', {
          '.env': `SUBNET=${subnetPrefix(t)}\nEXTERNAL=${external}\n`,
          'docker-compose.yml': `${V37}  srv:
    image: busybox
    command: ["sleep", "600"]
    networks:
      back: {aliases: [database, db.internal], ipv4_address: "\${SUBNET}.10"}
    init: true
    cap_add: [NET_ADMIN]
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
    sysctls: {net.ipv4.ip_forward: "1"}
    tmpfs: ["/scratch:size=1m"]
    stop_signal: SIGUSR1
    stop_grace_period: 3s
    ipc: shareable
  side:
    image: busybox
    command: ["sleep", "600"]
    network_mode: "service:srv"
    pid: "service:srv"
    ipc: "service:srv"
  ext:
    image: busybox
    command: ["sleep", "600"]
    networks: [outside]
    volumes: ["extvol:/ext"]
networks:
  back:
    ipam: {config: [{subnet: "\${SUBNET}.0/24"}]}
  outside: {external: true, name: "\${EXTERNAL}"}
volumes:
  extvol: {external: true, name: "\${EXTERNAL}"}
`,
        }, async (p) => {
          await p.ok('up', '-d');
          const srv = p.inspect('srv');
          const back = srv.NetworkSettings.Networks[`${p.name}_back`]!;
          assert.equal(back.IPAddress, `${subnetPrefix(t)}.10`);
          assert.deepEqual(back.IPAMConfig, { IPv4Address: `${subnetPrefix(t)}.10` });
          for (const alias of ['database', 'db.internal', 'srv']) assert.ok(back.Aliases?.includes(alias), JSON.stringify(back.Aliases));
          const h = srv.HostConfig;
          assert.deepEqual([h.Init, h.CapAdd, h.Sysctls, h.Tmpfs, h.IpcMode], [true, ['NET_ADMIN'], { 'net.ipv4.ip_forward': '1' }, { '/scratch': 'size=1m' }, 'shareable']);
          // As docker inspect prints them: Ulimits in units.Ulimit's field order, labels sorted (a Go map).
          assert.equal(JSON.stringify(h.Ulimits), '[{"Name":"nofile","Hard":2048,"Soft":1024},{"Name":"nproc","Hard":512,"Soft":512}]');
          const labels = Object.keys(srv.Config.Labels);
          assert.deepEqual(labels, [...labels].sort(), 'labels in Go\'s map order');
          assert.deepEqual([srv.Config.StopSignal, srv.Config.StopTimeout], ['SIGUSR1', 3]);
          const limits = (await p.ok('exec', '-T', 'srv', 'sh', '-c', 'cat /proc/1/limits /proc/sys/net/ipv4/ip_forward')).stdout;
          assert.match(limits, /^Max open files +1024 +2048 /m, limits);
          assert.match(limits, /^1$/m);
          const network = JSON.parse(t.docker(['network', 'inspect', `${p.name}_back`]).stdout)[0] as { Labels: Record<string, string> };
          assert.deepEqual(Object.keys(network.Labels), Object.keys(network.Labels).sort(), 'network labels in Go\'s map order');
          const side = p.inspect('side').HostConfig;
          for (const mode of ['NetworkMode', 'PidMode', 'IpcMode']) assert.equal(side[mode], `container:${srv.Id}`, mode);
          // The side container sees srv's processes (pid: service:srv) and its address.
          assert.match((await p.ok('exec', '-T', 'side', 'ps')).stdout, /sleep 600/);
          assert.match((await p.ok('exec', '-T', 'side', 'hostname', '-i')).stdout, new RegExp(`${subnetPrefix(t).replace(/\./g, '\\.')}\\.10`));
          const ext = p.inspect('ext');
          assert.deepEqual(Object.keys(ext.NetworkSettings.Networks), [external]);
          assert.deepEqual(ext.Mounts.map((m) => [m.Type, m.Name, m.Destination]), [['volume', external, '/ext']]);
          const down = await p.ok('down', '-t', '1');
          assert.doesNotMatch(down.stderr, new RegExp(`Removing network ${external}`), 'an external network stays');
        });
        assert.equal(t.docker(['network', 'inspect', external]).code, 0, 'the external network is still there');
        assert.equal(t.docker(['volume', 'inspect', external]).code, 0, 'down -v leaves an external volume');
      } finally {
        t.docker(['network', 'rm', external]);
        t.docker(['volume', 'rm', external]);
      }
    });

    test('mem_limit allows as much swap again (where the kernel limits swap); logging options in Go\'s map order', () =>
      withProject(target(), 'mem', {
        'docker-compose.yml': `version: "2.4"
services:
  m:
    image: busybox
    command: ["sleep", "600"]
    mem_limit: 64m
    logging: {driver: json-file, options: {max-size: 1m, max-file: "2"}}
`,
      }, async (p) => {
        await p.ok('up', '-d');
        const h = p.inspect('m').HostConfig;
        assert.equal(h.Memory, 64 * 1024 * 1024);
        const swapLimited = ['/sys/fs/cgroup/memory.swap.max', '/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'].some((f) => existsSync(f));
        if (swapLimited) {
          assert.equal(h.MemorySwap, 128 * 1024 * 1024);
          const limit = (await p.ok('exec', '-T', 'm', 'sh', '-c', 'cat /sys/fs/cgroup/memory.swap.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes')).stdout;
          assert.match(limit, /^(67108864|134217728)\n$/, 'the swap limit is in the cgroup');
        }
        assert.equal(JSON.stringify(h.LogConfig), '{"Type":"json-file","Config":{"max-file":"2","max-size":"1m"}}');
      }));

    test('.env and env_file, named/anonymous/relative bind volumes, -V renews anonymous volumes, restart: always outlives a kill', () =>
      withProject(target(), 'vol', {
        '.env': 'TAG=latest\nGREET=from-dotenv\n',
        'app.env': 'A=from-envfile\n# a comment\nB=b value\n',
        'conf/f.txt': 'from-bind\n',
        'docker-compose.yml': `${V37}  v:
    image: busybox:\${TAG}
    command: ["sh", "-c", "echo $$GREET $$A $$B; cat /conf/f.txt; exec sleep 600"]
    environment: {GREET: "\${GREET}"}
    env_file: [app.env]
    volumes: ["named:/named", "/anon", "./conf:/conf"]
  r:
    image: busybox
    command: ["sleep", "600"]
    restart: always
volumes:
  named: {}
`,
      }, async (p) => {
        await p.ok('up', '-d');
        await eventually(async () => (await p.ok('logs', '--no-color', 'v')).stdout.includes('from-bind'), 'v to print');
        const logs = (await p.ok('logs', '--no-color', 'v')).stdout;
        assert.match(logs, /^v_1 {2}\| from-dotenv from-envfile b value$/m);
        const mounts = () => Object.fromEntries(p.inspect('v').Mounts.map((m) => [m.Destination, m]));
        const first = mounts();
        assert.equal(first['/named']?.Name, `${p.name}_named`);
        assert.equal(first['/conf']?.Source, join(p.dir, 'conf'));
        assert.equal(first['/conf']?.Type, 'bind');
        await p.ok('up', '-d', '--force-recreate', 'v');
        assert.equal(mounts()['/anon']?.Name, first['/anon']?.Name, 'a recreate keeps the anonymous volume');
        await p.ok('up', '-d', '--force-recreate', '-V', 'v');
        assert.notEqual(mounts()['/anon']?.Name, first['/anon']?.Name, '-V renews it');
        const r = p.inspect('r');
        process.kill(r.State.Pid, 'SIGKILL');
        await eventually(() => {
          const now = p.inspect('r');
          return now.RestartCount === 1 && now.State.Running;
        }, 'restart: always to bring r back');
      }));

    describe('pull and push through a local registry', () => {
      let registry: TestRegistry | undefined;
      before(async () => {
        registry = await TestRegistry.start();
      });
      after(async () => {
        await registry?.stop();
      });

      test('push, then pull of an image already here shows no layer (as dockerd), pull after rmi fetches it', () =>
        withProject(target(), 'push', {
          'Dockerfile': 'FROM busybox\nRUN echo pushed > /p\n',
          'docker-compose.yml': `${V37}  pushed:
    build: .
    image: ${registry!.hostPort}/c129/${target().kind}:v1
    command: ["cat", "/p"]
`,
        }, async (p) => {
          const image = `${registry!.hostPort}/c129/${p.target.kind}:v1`;
          await p.ok('build');
          const pushed = await p.ok('push');
          assert.match(pushed.stdout, /^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
          const again = await p.ok('pull');
          assert.doesNotMatch(again.stderr, /already exists|pull complete/i, again.stderr);
          assert.match(again.stderr, /status: image is up to date/);
          assert.equal(p.target.docker(['rmi', image]).code, 0);
          const pulled = await p.ok('pull');
          assert.match(pulled.stderr, /status: downloaded newer image/, pulled.stderr);
          assert.equal((await p.ok('run', '--rm', '-T', 'pushed')).stdout, 'pushed\n');
          p.target.docker(['rmi', '-f', image]);
        }));
    });

    test('up --abort-on-container-exit --exit-code-from; down --rmi local -v --remove-orphans', () =>
      withProject(target(), 'abort', {
        'Dockerfile': 'FROM busybox\nCMD ["true"]\n',
        'docker-compose.yml': `${V37}  worker:
    build: .
    command: ["sh", "-c", "echo working; sleep 1; exit 4"]
  server:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`,
      }, async (p) => {
        const up = await p.run('up', '--abort-on-container-exit', '--exit-code-from', 'worker');
        assert.equal(up.code, 4, `${up.stdout}\n${up.stderr}`);
        assert.match(up.stdout, /worker_1 +\| working/);
        assert.match(up.stdout, /Aborting on container exit\.\.\./);
        assert.equal(p.inspect('server').State.Running, false, 'the other service was stopped');
        await p.write({ 'docker-compose.yml': 'version: "3.7"\nservices:\n  worker:\n    build: .\n' });
        const down = await p.ok('down', '--rmi', 'local', '-v', '--remove-orphans');
        assert.match(down.stderr, new RegExp(`Removing orphan container "${p.name}_server_1"`));
        assert.match(down.stderr, new RegExp(`Removing image ${p.name}_worker`));
        assert.deepEqual(p.containers(), []);
        assert.notEqual(p.target.docker(['image', 'inspect', `${p.name}_worker`]).code, 0, 'the built image is gone');
      }));

    test('docker-compose and berth compose see each other\'s projects (labels)', () =>
      withProject(target(), 'peer', {
        'docker-compose.yml': 'version: "3.7"\nservices:\n  s:\n    image: busybox\n    command: ["sleep", "600"]\n',
      }, async (p) => {
        await p.ok('up', '-d');
        const berth = (...args: string[]) =>
          runAsync('/bin/sh', ['-c', 'cd "$0" && exec "$@"', p.dir, process.execPath, join(ROOT, 'bin', 'berth'), 'compose', ...args], p.env);
        const ls = await berth('ls', '--format', 'json');
        assert.equal(ls.code, 0, ls.stderr);
        const listed = (JSON.parse(ls.stdout) as { Name: string; Status: string }[]).find((x) => x.Name === p.name);
        assert.equal(listed?.Status, 'running(1)', ls.stdout);
        const ps = await berth('-p', p.name, 'ps', '--format', '{{.Name}} {{.Service}} {{.State}}');
        assert.equal(ps.stdout, `${p.name}_s_1 s running\n`, ps.stderr);
        // The other way: a service berth compose adds shows in docker-compose ps.
        await p.write({ 'docker-compose.yml': 'version: "3.7"\nservices:\n  s:\n    image: busybox\n    command: ["sleep", "600"]\n  t:\n    image: busybox\n    command: ["sleep", "600"]\n' });
        const up = await berth('-p', p.name, 'up', '-d', 't');
        assert.equal(up.code, 0, up.stderr);
        const composePs = (await p.ok('ps')).stdout;
        assert.match(composePs, new RegExp(`^${p.name}[-_]t[-_]1 .* Up\\s*$`, 'm'), composePs);
      }));
  });
}

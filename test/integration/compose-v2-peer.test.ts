/**
 * docker compose v2 (Debian 13's 2.26.1, see scripts/compose-v2.sh) as a
 * real client of berthd, and as a peer of berth compose: each runs a project
 * on berthd, and the other takes it over without recreating anything, which
 * holds only if both write the same labels and the same config hash.
 *
 * The project has no depends_on: compose 2.26 still hashes it, while later
 * compose releases clear it before hashing (pkg/compose/hash.go), as berth
 * compose does. And the hashes compared are the labels `up` writes, not
 * 2.26's `config --hash`, which (unlike its `up`) also hashes env_file.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { composeV2Binary, freePort, lines, Target } from './compose-helpers.js';
import { run, TestDaemon, waitForValue, type RunResult } from './harness.js';

/** Service keys both must hash alike: binds, env files, healthchecks, limits, ports, aliases. */
function projectYaml(port: number): string {
  return `services:
  db:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; touch /tmp/ready; while true; do sleep 1; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 60
    env_file: [./db.env]
    volumes: [data:/data]
    deploy:
      resources:
        limits: {memory: 64m}
    ulimits: {nofile: {soft: 1000, hard: 2000}}
    sysctls: {net.core.somaxconn: 1024}
  web:
    image: busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/www"]
    ports: ["127.0.0.1:${port}:80"]
    volumes: [./www:/www:ro]
    environment: {GREETING: hi}
    labels: [tier=front]
    stop_grace_period: 2s
    networks:
      default:
        aliases: [www]
volumes:
  data: {}
`;
}

describe('docker compose v2 and berth compose on berthd', () => {
  let daemon: TestDaemon;
  let dir: string;
  let v2: string;
  let port: number;
  let berth: Target;
  const compose = (args: string[]): RunResult =>
    run(v2, ['-p', 'peer', '-f', join(dir, 'compose.yaml'), ...args], undefined, { DOCKER_HOST: daemon.host });
  const ok = (r: RunResult, what: string): RunResult => {
    assert.equal(r.code, 0, `${what}: ${r.stderr}`);
    return r;
  };

  before(async () => {
    v2 = composeV2Binary();
    daemon = await TestDaemon.start();
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
    port = await freePort();
    await mkdir(join(dir, 'www'));
    await writeFile(join(dir, 'www', 'index.html'), 'served by busybox\n');
    await writeFile(join(dir, 'db.env'), 'DB_NAME=wp\n');
    await writeFile(join(dir, 'compose.yaml'), projectYaml(port));
    berth = new Target('berthd', daemon.host, dir);
    await berth.importBusybox();
  });

  after(async () => {
    if (daemon) {
      if (v2) compose(['down', '-v', '-t', '0']);
      await daemon.stop();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('docker compose v2 runs the project on berthd: healthcheck, published port, exec, logs', async () => {
    ok(compose(['up', '-d', '--wait']), 'docker compose up');
    const ps = JSON.parse(`[${lines(ok(compose(['ps', '--format', 'json']), 'ps').stdout).join(',')}]`) as Array<{ Service: string; State: string; Health: string }>;
    assert.deepEqual(ps.map((c) => [c.Service, c.State]).sort(), [['db', 'running'], ['web', 'running']]);
    assert.equal(ps.find((c) => c.Service === 'db')?.Health, 'healthy');
    const body = await waitForValue('the published port', async () => {
      const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
      return res?.ok ? res.text() : undefined;
    });
    assert.equal(body, 'served by busybox\n');
    assert.equal(ok(compose(['exec', '-T', 'db', 'sh', '-c', 'echo $DB_NAME']), 'exec').stdout.trim(), 'wp');
    ok(compose(['exec', '-T', 'web', 'sh', '-c', 'echo to-the-log > /proc/1/fd/1']), 'exec into the log');
    await waitForValue('the line in docker compose logs', async () => (compose(['logs', 'web']).stdout.includes('to-the-log') ? true : undefined));
  });

  test('the config hash docker compose writes on each container is the one berth compose computes', () => {
    const ours = new Map(lines(berth.compose(['-p', 'peer', 'config', '--hash', '*']).stdout).map((l) => l.split(' ') as [string, string]));
    for (const service of ['db', 'web']) {
      assert.equal(berth.inspect(`peer-${service}-1`, '{{index .Config.Labels "com.docker.compose.config-hash"}}'), ours.get(service), service);
    }
  });

  test('berth compose takes over the project docker compose made without recreating anything', () => {
    const ids = (): string => berth.berth(['ps', '-q', '--no-trunc', '--filter', 'label=com.docker.compose.project=peer']).stdout;
    const before = lines(ids()).sort();
    const up = berth.compose(['-p', 'peer', 'up', '-d']);
    assert.doesNotMatch(up.stderr, /Recreate/, up.stderr);
    assert.deepEqual(lines(ids()).sort(), before);
    const ps = berth.compose(['-p', 'peer', 'ps', '--services']);
    assert.deepEqual(lines(ps.stdout).sort(), ['db', 'web']);
  });

  test('and docker compose takes back a project berth compose made', () => {
    berth.compose(['-p', 'peer', 'down', '-t', '0']);
    berth.compose(['-p', 'peer', 'up', '-d', '--wait']);
    const up = ok(compose(['up', '-d']), 'docker compose up over berth compose');
    assert.doesNotMatch(up.stderr, /Recreate/, up.stderr);
    assert.match(up.stderr, /Running/);
    ok(compose(['down', '-v', '-t', '0']), 'docker compose down');
    assert.equal(berth.berth(['ps', '-aq', '--filter', 'label=com.docker.compose.project=peer']).stdout.trim(), '');
    assert.equal(berth.berth(['volume', 'ls', '-q', '--filter', 'label=com.docker.compose.project=peer']).stdout.trim(), '');
  });
});

/**
 * docker-compose 1.29 (Debian, the Python one, API 1.25+ over DOCKER_HOST)
 * against berthd and a private dockerd 20.10: a project of two services (a
 * busybox httpd serving a named volume, and a client that fetches from it by
 * service name over a user network), brought up, listed, read, exec'd into,
 * recreated after a config change (compose reads the image's ContainerConfig
 * then) and taken down with its volume. Each target gets its own project name
 * and directory; `down -v` runs again after the cases, whatever happened.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../integration/harness.js';
import { missing, runAsync, type Target } from './targets.js';

const COMPOSE = '/usr/bin/docker-compose';

/** The project file; `round` is the client's only setting, changed to force a recreate. */
function composeFile(round: number): string {
  return `version: "3.7"
services:
  web:
    image: busybox
    command: ["sh", "-c", "echo hello from web > /www/index.html && exec httpd -f -p 80 -h /www"]
    volumes: ["site:/www"]
    networks: [front]
  client:
    image: busybox
    command: ["sh", "-c", "until wget -q -O- http://web/; do sleep 0.2; done; exec sleep 300"]
    depends_on: [web]
    networks: [front]
    environment:
      ROUND: "${round}"
networks:
  front: {}
volumes:
  site: {}
`;
}

/** Polls a condition (compose calls) until it holds; tests wait for states, not for time. */
async function eventually(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** A two-service project through its life, against one target. */
export function composeCases(target: () => Target): void {
  describe('docker-compose 1.29', { skip: missing(COMPOSE, 'docker-compose') }, () => {
    let dir = '';
    let project = '';
    const compose = (...args: string[]): Promise<RunResult> =>
      runAsync(COMPOSE, ['--ansi', 'never', '-p', project, '-f', join(dir, 'docker-compose.yml'), '--project-directory', dir, ...args],
        { DOCKER_HOST: target().host, DOCKER_TLS_VERIFY: '', DOCKER_CONFIG: join(dir, 'docker-config'), COMPOSE_INTERACTIVE_NO_CLI: '1' });
    const ok = (r: RunResult, what: string): RunResult => {
      assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stdout}\n${r.stderr}\n${target().log().slice(-3000)}`);
      return r;
    };
    // Waiting polls with the docker CLI: each compose start costs seconds on a loaded host.
    const clientLogs = () => target().docker(['logs', `${project}_client_1`]).stdout;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
      project = `clients${process.pid}${target().kind}`;
      await writeFile(join(dir, 'docker-compose.yml'), composeFile(1));
    });

    after(async () => {
      if (project) await compose('down', '-v', '-t', '1', '--remove-orphans');
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    test('up -d creates the network, the volume and both services, web first', async () => {
      const up = ok(await compose('up', '-d'), 'up -d');
      const order = [`Creating network "${project}_front"`, `Creating volume "${project}_site"`, `Creating ${project}_web_1`, `Creating ${project}_client_1`];
      const at = order.map((line) => up.stderr.indexOf(line));
      assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1]!)), `up -d said:\n${up.stderr}`);
      await eventually(() => clientLogs().includes('hello from web'), 'the client to fetch the page by service name');
    });

    test('ps lists both services up', async () => {
      const ps = ok(await compose('ps'), 'ps').stdout;
      for (const service of ['web', 'client']) assert.match(ps, new RegExp(`^${project}_${service}_1 .* Up\\s*$`, 'm'), ps);
      assert.equal(ps.trim().split('\n').length, 4, ps); // two header lines, two services
    });

    test('logs shows each service prefixed, exec -T runs in the service', async () => {
      assert.match(ok(await compose('logs', '--no-color'), 'logs').stdout, /^client_1 +\| hello from web$/m);
      assert.equal(ok(await compose('exec', '-T', 'web', 'cat', '/www/index.html'), 'exec -T').stdout, 'hello from web\n');
    });

    test('up -d with a changed config recreates only the changed service', async () => {
      await writeFile(join(dir, 'docker-compose.yml'), composeFile(2));
      const up = ok(await compose('up', '-d', '-t', '1'), 'up -d again');
      assert.match(up.stderr, new RegExp(`${project}_web_1 is up-to-date`));
      assert.match(up.stderr, new RegExp(`Recreating ${project}_client_1 \\.\\.\\. done`));
      assert.equal(ok(await compose('exec', '-T', 'client', 'sh', '-c', 'echo $ROUND'), 'exec -T').stdout, '2\n');
      await eventually(() => clientLogs().includes('hello from web'), 'the recreated client to fetch the page');
    });

    test('down -v removes the containers, the network and the volume', async () => {
      const down = ok(await compose('down', '-v', '-t', '1'), 'down -v');
      assert.match(down.stderr, new RegExp(`Removing network ${project}_front`));
      assert.match(down.stderr, new RegExp(`Removing volume ${project}_site`));
      const label = `label=com.docker.compose.project=${project}`;
      assert.equal(target().docker(['ps', '-aq', '--filter', label]).stdout, '');
      assert.equal(target().docker(['network', 'ls', '-q', '--filter', label]).stdout, '');
      assert.equal(target().docker(['volume', 'ls', '-q', '--filter', label]).stdout, '');
    });
  });
}

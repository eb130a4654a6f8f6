/**
 * `berth compose up -d` / `ps` / `down` of a two-service project (web
 * depends on db; a published port; a named volume), against a private
 * berthd and, when dockerd is installed, a private dockerd 20.10 (web
 * waits for db's healthcheck): names and
 * labels through inspect, DNS by service name between the containers, an
 * unchanged `up` leaves containers alone, a changed environment recreates
 * only that service, and `down -v` leaves nothing behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { composeSuite, freePort, lines, LOOP, Target } from './compose-helpers.js';
import { run, TestDaemon } from './harness.js';

const PROJECT = 'cuproj';
const DOCKER_COMPOSE = '/usr/bin/docker-compose';

function composeFile(port: number, greeting: string, withWeb = true): string {
  const services: Record<string, unknown> = {
    db: { image: 'busybox:latest', command: LOOP, volumes: ['data:/data'], healthcheck: { test: ['CMD', 'true'], interval: '1s' } },
    web: { image: 'busybox:latest', command: LOOP, volumes: ['/cache'], depends_on: { db: { condition: 'service_healthy' } }, ports: [`127.0.0.1:${port}:80`], environment: { GREETING: greeting } },
  };
  if (!withWeb) delete services.web;
  return JSON.stringify({ name: PROJECT, services, volumes: { data: {} } });
}

async function scenario(t: Target): Promise<void> {
  const port = await freePort();
  const file = join(t.dir, 'compose.yaml');
  // An image that cannot be pulled: up fails before it creates anything.
  await writeFile(file, composeFile(port, 'hello').replace('"image":"busybox:latest","command":["sh","-c","trap', '"image":"127.0.0.1:1/none:latest","command":["sh","-c","trap'));
  const failed = t.berth(['compose', '-f', file, 'up', '-d']);
  assert.notEqual(failed.code, 0);
  assert.ok(lines(failed.stderr).includes('db Pulling'), failed.stderr);
  assert.ok(!t.berth(['network', 'ls', '--format', '{{.Name}}']).stdout.includes(PROJECT), 'no network is left by a failed up');
  await writeFile(file, composeFile(port, 'hello'));

  const first = lines(t.compose(['up', '-d']).stderr);
  for (const line of [`Network ${PROJECT}_default Created`, `Volume "${PROJECT}_data" Created`, `Container ${PROJECT}-db-1 Created`, `Container ${PROJECT}-web-1 Started`]) {
    assert.ok(first.includes(line), `missing "${line}" in:\n${first.join('\n')}`);
  }
  // web waits for db to be healthy before it starts.
  const at = (line: string) => first.indexOf(`Container ${PROJECT}-${line}`);
  assert.ok(at('db-1 Started') < at('db-1 Healthy') && at('db-1 Healthy') < at('web-1 Starting'), first.join('\n'));

  const labels = JSON.parse(t.inspect(`${PROJECT}-web-1`, '{{json .Config.Labels}}')) as Record<string, string>;
  assert.equal(labels['com.docker.compose.project'], PROJECT);
  assert.equal(labels['com.docker.compose.service'], 'web');
  assert.equal(labels['com.docker.compose.container-number'], '1');
  assert.equal(labels['com.docker.compose.oneoff'], 'False');
  assert.equal(labels['com.docker.compose.depends_on'], 'db:service_healthy:false');
  assert.equal(labels['com.docker.compose.project.config_files'], file);
  assert.equal(labels['com.docker.compose.project.working_dir'], t.dir);
  assert.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
  assert.equal(t.inspect(`${PROJECT}_default`, '{{index .Labels "com.docker.compose.network"}}', 'network'), 'default');
  assert.equal(t.inspect(`${PROJECT}_default`, '{{index .Labels "com.docker.compose.project"}}', 'network'), PROJECT);
  assert.equal(t.inspect(`${PROJECT}_data`, '{{index .Labels "com.docker.compose.volume"}}', 'volume'), 'data');
  assert.equal(t.inspect(`${PROJECT}-web-1`, '{{(index (index .HostConfig.PortBindings "80/tcp") 0).HostPort}}'), String(port));
  assert.equal(t.inspect(`${PROJECT}-db-1`, '{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}'), `${PROJECT}_data:/data`);

  // The service name resolves, on the project network, to the other container's address.
  const dbIp = t.inspect(`${PROJECT}-db-1`, `{{(index .NetworkSettings.Networks "${PROJECT}_default").IPAddress}}`);
  const lookup = t.berth(['exec', `${PROJECT}-web-1`, 'nslookup', 'db']);
  assert.equal(lookup.code, 0, lookup.stdout + lookup.stderr);
  assert.ok(lookup.stdout.includes(dbIp), `nslookup db gave:\n${lookup.stdout}\nexpected ${dbIp}`);

  const ps = lines(t.compose(['ps']).stdout).map((l) => l.split(/\s{2,}/));
  assert.deepEqual(ps[0], ['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS']);
  assert.deepEqual(ps.slice(1).map((r) => [r[0], r[3]]), [[`${PROJECT}-db-1`, 'db'], [`${PROJECT}-web-1`, 'web']]);
  assert.match(ps[2][5], /^Up /);
  assert.equal(ps[2][6], `127.0.0.1:${port}->80/tcp`);

  const ids = () => ['db', 'web'].map((s) => t.inspect(`${PROJECT}-${s}-1`, '{{.Id}}'));
  const before = ids();
  const anonymous = () => t.inspect(`${PROJECT}-web-1`, '{{range .Mounts}}{{if eq .Destination "/cache"}}{{.Name}}{{end}}{{end}}');
  const cache = anonymous();
  assert.match(cache, /^[0-9a-f]{64}$/);
  const again = lines(t.compose(['up', '-d']).stderr);
  assert.ok(again.includes(`Container ${PROJECT}-db-1 Running`) && again.includes(`Container ${PROJECT}-web-1 Running`), again.join('\n'));
  assert.deepEqual(ids(), before, 'an unchanged project is left alone');

  await writeFile(file, composeFile(port, 'changed'));
  const changed = lines(t.compose(['up', '-d']).stderr);
  assert.ok(changed.includes(`Container ${PROJECT}-web-1 Recreated`) && changed.includes(`Container ${PROJECT}-db-1 Running`), changed.join('\n'));
  const after = ids();
  assert.equal(anonymous(), cache, 'the recreated container keeps its anonymous volume');
  assert.equal(after[0], before[0], 'db is not recreated');
  assert.notEqual(after[1], before[1], 'web is recreated');
  assert.ok(t.inspect(`${PROJECT}-web-1`, '{{json .Config.Env}}').includes('GREETING=changed'));
  assert.equal(t.inspect(`${PROJECT}-web-1`, '{{.State.Running}}'), 'true');

  // down of one service removes its containers only.
  const downWeb = lines(t.compose(['down', '-v', '-t', '2', 'web']).stderr);
  assert.ok(downWeb.includes(`Container ${PROJECT}-web-1 Removed`) && !downWeb.some((l) => l.includes('db-1') || l.includes('Network')), downWeb.join('\n'));
  assert.equal(t.inspect(`${PROJECT}-db-1`, '{{.State.Running}}'), 'true');
  assert.ok(lines(t.compose(['up', '-d']).stderr).includes(`Container ${PROJECT}-web-1 Created`));

  // web dropped from the file: an orphan, warned about by up, removed by down --remove-orphans.
  await writeFile(file, composeFile(port, 'changed', false));
  assert.match(t.compose(['up', '-d']).stderr, new RegExp(`Found orphan containers \\(\\[${PROJECT}-web-1\\]\\)`));
  const down = lines(t.compose(['down', '-v', '--remove-orphans', '-t', '2']).stderr);
  for (const line of [`Container ${PROJECT}-web-1 Removed`, `Container ${PROJECT}-db-1 Removed`, `Network ${PROJECT}_default Removed`, `Volume ${PROJECT}_data Removed`]) {
    assert.ok(down.includes(line), `missing "${line}" in:\n${down.join('\n')}`);
  }
  assert.ok(down.indexOf(`Container ${PROJECT}-web-1 Removed`) < down.indexOf(`Container ${PROJECT}-db-1 Stopping`), 'web goes before db');
  assert.equal(t.berth(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]).stdout.trim(), '');
  assert.ok(!t.berth(['network', 'ls', '--format', '{{.Name}}']).stdout.includes(PROJECT));
  assert.equal(t.berth(['volume', 'ls', '-q']).stdout.trim(), '', 'named and anonymous volumes are gone');
}

composeSuite('berth compose up / ps / down', scenario, dockerCompose);

/** The labels are the project's only state: docker-compose 1.29 lists and takes down what berth compose made. */
function dockerCompose(projectDir: () => string): void {
  test('docker-compose 1.29 sees the project', { skip: existsSync(DOCKER_COMPOSE) ? undefined : 'docker-compose not installed' }, async () => {
    const dir = projectDir();
    const daemon = await TestDaemon.start();
    const t = new Target('berthd', daemon.host, dir);
    try {
      await t.importBusybox();
      // docker-compose 1.29 knows no top-level `name:`: both get the project name by -p.
      await writeFile(join(dir, 'compose.yaml'), JSON.stringify({ ...JSON.parse(composeFile(await freePort(), 'hello')), name: undefined }));
      t.compose(['-p', PROJECT, 'up', '-d']);
      const dc = (args: string[]) => run(DOCKER_COMPOSE, ['-H', daemon.host, '-f', join(dir, 'compose.yaml'), '-p', PROJECT, ...args], undefined, {}, 60_000);
      const ps = dc(['ps']);
      assert.equal(ps.code, 0, ps.stderr);
      assert.match(ps.stdout, new RegExp(`${PROJECT}-db-1 .* Up`));
      assert.match(ps.stdout, new RegExp(`${PROJECT}-web-1 .* Up`));
      const down = dc(['down', '-v', '-t', '1']);
      assert.equal(down.code, 0, down.stderr);
      assert.equal(t.berth(['ps', '-aq']).stdout.trim(), '');
      assert.ok(!t.berth(['network', 'ls', '--format', '{{.Name}}']).stdout.includes(PROJECT));
    } finally {
      t.berth(['compose', '-f', join(dir, 'compose.yaml'), '-p', PROJECT, 'down', '-v', '-t', '0']);
      await daemon.stop();
    }
  });
}

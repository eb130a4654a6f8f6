/**
 * `berth compose create`, `logs` and up's convergence flags, against a
 * private berthd and a private dockerd 20.10: create leaves containers
 * created, `up --wait` waits for healthy/running and fails naming the
 * container and why, logs with --tail, -t and --no-log-prefix,
 * --force-recreate (the named service only), --no-recreate, -V and --no-deps.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { composeSuite, lines, LOOP, type Target } from './compose-helpers.js';

const PROJECT = 'cfproj';
const HEALTHY = { test: ['CMD', 'true'], interval: '1s' };

async function writeProject(t: Target, services: Record<string, unknown>): Promise<void> {
  await writeFile(join(t.dir, 'compose.yaml'), JSON.stringify({ name: PROJECT, services }));
}

function services(greeting: string): Record<string, unknown> {
  return {
    db: { image: 'busybox:latest', command: LOOP, healthcheck: HEALTHY, volumes: ['/anon'], environment: { GREETING: greeting } },
    web: {
      image: 'busybox:latest', command: ['sh', '-c', `echo line1; echo line2; echo line3; ${LOOP[2]}`], environment: { GREETING: greeting },
      depends_on: { db: { condition: 'service_healthy' } },
    },
  };
}

async function scenario(t: Target): Promise<void> {
  const c = (name: string) => `${PROJECT}-${name}-1`;
  const state = (name: string) => t.inspect(c(name), '{{.State.Status}}');
  const id = (name: string) => t.inspect(c(name), '{{.Id}}');
  const anon = () => t.inspect(c('db'), '{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}');
  await writeProject(t, services('one'));

  const created = lines(t.compose(['create']).stderr);
  assert.ok(created.includes(`Container ${c('db')} Created`) && created.includes(`Container ${c('web')} Created`), created.join('\n'));
  assert.deepEqual([state('db'), state('web')], ['created', 'created']);

  const waited = lines(t.compose(['up', '-d', '--wait']).stderr);
  for (const line of [`Container ${c('db')} Healthy`, `Container ${c('web')} Healthy`]) assert.ok(waited.includes(line), `missing "${line}" in:\n${waited.join('\n')}`);
  assert.equal(t.inspect(c('db'), '{{.State.Health.Status}}'), 'healthy');

  assert.deepEqual(lines(t.compose(['logs', '--no-color', 'web']).stdout), ['web-1  | line1', 'web-1  | line2', 'web-1  | line3']);
  assert.deepEqual(lines(t.compose(['logs', '--tail', '1', '--no-log-prefix', 'web']).stdout), ['line3']);
  assert.match(t.compose(['logs', '-t', 'web']).stdout, /^web-1 {2}\| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z line1$/m, 'RFC3339NanoFixed in UTC, as dockerd writes it');
  assert.equal(t.compose(['logs', 'db']).stdout, '');

  // --force-recreate recreates the named service, not what it depends on.
  const [db, web, volume] = [id('db'), id('web'), anon()];
  const forced = lines(t.compose(['up', '-d', '--force-recreate', 'web']).stderr);
  assert.ok(forced.includes(`Container ${c('web')} Recreated`) && forced.includes(`Container ${c('db')} Running`), forced.join('\n'));
  assert.equal(id('db'), db);
  assert.notEqual(id('web'), web);

  // A changed file, but --no-recreate: nothing is recreated.
  await writeProject(t, services('two'));
  const kept = lines(t.compose(['up', '-d', '--no-recreate']).stderr);
  assert.ok(kept.includes(`Container ${c('db')} Running`), kept.join('\n'));
  assert.equal(id('db'), db);
  // Recreated, db keeps its anonymous volume; with -V it gets a new one.
  t.compose(['up', '-d', 'db']);
  assert.notEqual(id('db'), db);
  assert.equal(anon(), volume, 'a recreated container keeps its anonymous volume');
  t.compose(['up', '-d', '-V', '--force-recreate', 'db']);
  assert.notEqual(anon(), volume, '-V renews it');

  // --no-deps: web alone, db is not created.
  t.compose(['down', '-v', '-t', '0']);
  t.compose(['up', '-d', '--no-deps', 'web']);
  assert.equal(state('web'), 'running');
  assert.notEqual(t.berth(['container', 'inspect', c('db')]).code, 0, 'db was not created');
  t.compose(['down', '-v', '-t', '0']);

  // --wait fails, naming the container and why.
  await writeProject(t, { sick: { image: 'busybox:latest', command: LOOP, healthcheck: { test: ['CMD', 'false'], interval: '1s', retries: 1 } } });
  const unhealthy = t.composeRaw(['up', '-d', '--wait']);
  assert.equal(unhealthy.code, 1, unhealthy.stderr);
  assert.match(unhealthy.stderr, new RegExp(`dependency failed to start: container ${c('sick')} is unhealthy`));
  // Its healthcheck cannot pass before it exits, so --wait is still waiting when it does.
  await writeProject(t, { quits: { image: 'busybox:latest', command: ['sh', '-c', 'sleep 1; exit 2'], healthcheck: { test: ['CMD', 'false'], interval: '60s' } } });
  const exited = t.composeRaw(['up', '-d', '--wait', '--remove-orphans']);
  assert.equal(exited.code, 1, exited.stderr);
  assert.match(exited.stderr, new RegExp(`dependency failed to start: container ${c('quits')} exited \\(2\\)`));
}

composeSuite('berth compose create, logs and up flags', scenario);

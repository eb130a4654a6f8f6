import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerRow } from '../shared/types.js';
import { composeArgs, connectionArgs } from './compose-cli.js';
import { composeProjects, configProblem, groupProjects, isProjectName } from './compose-projects.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function row(host: string, name: string, state: string, labels: Record<string, string>, created = 1): ContainerRow {
  return { host, id: `${host}-${name}`, name, image: 'bb', command: '', state, status: '', health: '', ports: [], created, labels };
}
const compose = (project: string, service: string, extra: Record<string, string> = {}) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service, ...extra });

test('containers group by host and project label; others are left out', () => {
  const projects = groupProjects([
    row('a', 'shop-web-1', 'running', compose('shop', 'web', { 'com.docker.compose.project.working_dir': '/old' }), 1),
    row('a', 'shop-db-1', 'exited', compose('shop', 'db', { 'com.docker.compose.project.working_dir': '/srv/shop', 'com.docker.compose.project.config_files': '/srv/shop/compose.yml,/srv/shop/override.yml' }), 2),
    row('a', 'shop-web-2', 'running', compose('shop', 'web'), 0),
    row('b', 'shop-web-1', 'running', compose('shop', 'web')),
    row('a', 'loner', 'running', {}),
  ]);
  assert.deepEqual(projects.map((p) => [p.host, p.name, p.services, p.running, p.total]), [['a', 'shop', ['db', 'web'], 2, 3], ['b', 'shop', ['web'], 1, 1]]);
  assert.equal(projects[0]!.workingDir, '/srv/shop', "the newest container's labels");
  assert.deepEqual(projects[0]!.configFiles, ['/srv/shop/compose.yml', '/srv/shop/override.yml']);
});

test('up needs every config file readable here; the reason says which is not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-dash-compose-'));
  dirs.push(dir);
  const file = join(dir, 'compose.yml');
  await writeFile(file, 'services: {}\n');
  assert.equal(await configProblem([file]), undefined);
  assert.match((await configProblem([file, join(dir, 'gone.yml')]))!, /gone\.yml is not readable/);
  assert.match((await configProblem([]))!, /no com\.docker\.compose\.project\.config_files label/);
  assert.match((await configProblem(['compose.yml']))!, /not an absolute path/);
  if (process.getuid?.() !== 0) {
    await chmod(file, 0);
    assert.match((await configProblem([file]))!, /not readable/);
  }
  const [project] = await composeProjects([row('a', 'x', 'running', compose('p', 's', { 'com.docker.compose.project.config_files': join(dir, 'gone.yml') }))]);
  assert.equal(project!.configReadable, false);
  assert.match(project!.configProblem!, /not readable where the dashboard runs/);
});

test('berth compose command lines: the host and its TLS files first, then the project', () => {
  assert.deepEqual(connectionArgs({ name: 'a', host: 'unix:///run/d.sock' }), ['-H', 'unix:///run/d.sock']);
  assert.deepEqual(connectionArgs({ name: 'a', host: 'tcp://h:2376', tlscacert: '/c/ca.pem', tlscert: '/c/cert.pem', tlskey: '/c/key.pem' }),
    ['-H', 'tcp://h:2376', '--tlsverify', '--tlscacert', '/c/ca.pem', '--tlscert', '/c/cert.pem', '--tlskey', '/c/key.pem']);
  assert.deepEqual(connectionArgs({ name: 'a', host: 'tcp://h:2376', tlscert: '/c/cert.pem', tlskey: '/c/key.pem' }), ['-H', 'tcp://h:2376', '--tls', '--tlscert', '/c/cert.pem', '--tlskey', '/c/key.pem']);
  assert.deepEqual(composeArgs({ name: 'a', host: 'unix:///s' }, { name: 'shop', configFiles: ['/srv/a.yml', '/srv/b.yml'], workingDir: '/srv' }, ['up', '-d']),
    ['-H', 'unix:///s', 'compose', '-p', 'shop', '-f', '/srv/a.yml', '-f', '/srv/b.yml', '--project-directory', '/srv', 'up', '-d']);
  assert.deepEqual(composeArgs({ name: 'a', host: 'unix:///s' }, { name: 'shop' }, ['down']), ['-H', 'unix:///s', 'compose', '-p', 'shop', 'down']);
  for (const bad of ['-f', 'Shop', '', '../x', 'a b']) {
    assert.equal(isProjectName(bad), false, bad);
    assert.throws(() => composeArgs({ name: 'a', host: 'unix:///s' }, { name: bad }, ['down']), { kind: 'invalid' });
  }
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadProject } from './project.js';

const root = mkdtempSync(join(tmpdir(), 'berth-include-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
  return join(root, path);
}

test('include: own project directory and .env, the project environment wins, nested includes', () => {
  write('app/compose.yaml', 'include:\n  - ../lib/compose.yaml\n  - path: [../other/base.yaml, ../other/override.yaml]\n    project_directory: ../other\n    env_file: ../other/custom.env\nservices:\n  web:\n    image: web\n    depends_on: [db]\n');
  write('app/.env', 'SHARED=from-app\n');
  write('lib/compose.yaml', 'include: [nested/compose.yaml]\nservices:\n  db:\n    image: "db:${DB_TAG}"\n    environment:\n      - SHARED=${SHARED}\n    volumes: ["./data:/data"]\nvolumes:\n  libvol: {}\n');
  write('lib/.env', 'DB_TAG=15\nSHARED=from-lib\n');
  write('lib/nested/compose.yaml', 'services:\n  cache:\n    image: cache\n    env_file: ./cache.env\n');
  write('lib/nested/cache.env', 'C=1\n');
  write('other/base.yaml', 'services:\n  worker:\n    image: "worker:${WORKER_TAG}"\n');
  write('other/override.yaml', 'services:\n  worker:\n    command: [run]\n');
  write('other/custom.env', 'WORKER_TAG=2\n');
  const project = loadProject({ files: [join(root, 'app/compose.yaml')], cwd: join(root, 'app'), env: {} });
  const { services, volumes } = project.model;
  assert.deepEqual(Object.keys(services).sort(), ['cache', 'db', 'web', 'worker']);
  assert.equal(services.db.image, 'db:15');
  assert.deepEqual(services.db.environment, { SHARED: 'from-app' });
  assert.equal((services.db.volumes as Array<{ source: string }>)[0].source, join(root, 'lib/data'));
  assert.deepEqual(services.cache.environment, { C: '1' });
  assert.equal(services.worker.image, 'worker:2');
  assert.deepEqual(services.worker.command, ['run']);
  assert.equal(volumes.libvol.name, 'app_libvol');
  assert.equal('include' in project.model, false);
});

test('include: a service defined on both sides differently is an error', () => {
  write('clash/compose.yaml', 'include: [inc.yaml]\nservices:\n  a:\n    image: one\n');
  write('clash/inc.yaml', 'services:\n  a:\n    image: two\n');
  assert.throws(() => loadProject({ files: [join(root, 'clash/compose.yaml')], cwd: root, env: {} }), /imported compose file .*inc\.yaml defines conflicting service a/);
});

test('--no-interpolate keeps ${VAR} as written', () => {
  write('raw/compose.yaml', 'services:\n  a:\n    image: "img:${TAG:-1}"\n');
  const raw = loadProject({ files: [join(root, 'raw/compose.yaml')], cwd: root, env: {}, interpolate: false });
  assert.equal(raw.model.services.a.image, 'img:${TAG:-1}');
  assert.equal(loadProject({ files: [join(root, 'raw/compose.yaml')], cwd: root, env: {} }).model.services.a.image, 'img:1');
});

test('include: paths are relative to the including file, not to the project directory', () => {
  // The project directory is elsewhere (--project-directory), the included file sets its own, and it includes in turn.
  write('rel/files/compose.yaml', 'include:\n  - path: parts/compose.yaml\n    project_directory: ../dirs/parts\nservices:\n  top:\n    image: top\n    volumes: ["./top:/top"]\n');
  write('rel/files/parts/compose.yaml', 'include: [deeper/compose.yaml]\nservices:\n  part:\n    image: "part:${PART_TAG}"\n    volumes: ["./part:/part"]\n');
  write('rel/files/parts/deeper/compose.yaml', 'services:\n  deep:\n    image: deep\n    volumes: ["./deep:/deep"]\n');
  write('rel/dirs/parts/.env', 'PART_TAG=7\n');
  const project = loadProject({ files: [join(root, 'rel/files/compose.yaml')], projectDirectory: join(root, 'rel/project'), cwd: root, env: {} });
  const source = (service: string) => (project.model.services[service].volumes as Array<{ source: string }>)[0].source;
  assert.equal(source('top'), join(root, 'rel/project/top'));
  assert.equal(source('part'), join(root, 'rel/dirs/parts/part'), 'the included file\'s own project_directory');
  assert.equal(project.model.services.part.image, 'part:7', 'the .env of its project directory');
  assert.equal(source('deep'), join(root, 'rel/files/parts/deeper/deep'), 'found beside the file that includes it');
});

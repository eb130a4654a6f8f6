/**
 * `berth compose` from the command line: help, config in its forms, version,
 * and the docker CLI plugin (metadata, and `docker compose version` running
 * berth compose through a private DOCKER_CONFIG/cli-plugins). No daemon needed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'yaml';
import { DOCKER_CLI, ROOT, run } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-compose-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const project = join(dir, 'Web App');
mkdirSync(project);
writeFileSync(
  join(project, 'compose.yaml'),
  ['services:', '  web:', '    image: "busybox:${TAG:-1}"', '    ports: ["8080:80"]', '    depends_on: [db]', '  db:', '    image: db', '    volumes: [data:/var/lib/db]', '  debug:', '    image: dbg', '    profiles: [tools]', 'volumes:', '  data:', ''].join('\n'),
);
writeFileSync(join(project, '.env'), 'TAG=2\n');

const berth = (args: string[]) => run(process.execPath, [join(ROOT, 'bin', 'berth'), ...args]);

/** Runs berth in the project directory (run() has no cwd option, so through `sh -c cd`). */
function inProject(args: string[]) {
  return run('/bin/sh', ['-c', 'cd "$0" && exec "$@"', project, process.execPath, join(ROOT, 'bin', 'berth'), ...args]);
}

test('berth --help lists every command group, compose included', () => {
  const out = berth(['--help']).stdout;
  const management = out.split('Management Commands:')[1].split('Commands:')[0];
  for (const group of ['compose', 'container', 'context', 'image', 'network', 'registry', 'system', 'volume']) assert.match(management, new RegExp(`^  ${group} `, 'm'));
  assert.doesNotMatch(out.split('Management Commands:')[1].split('\nCommands:')[1], /^ {2}compose /m);
});

test('berth compose --help lists its commands and flags', () => {
  for (const args of [['compose', '--help'], ['compose']]) {
    const r = berth(args);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: {2}berth compose \[OPTIONS\] COMMAND/);
    assert.match(r.stdout, /^ {2}config {6}Parse, resolve and render compose file in canonical format$/m);
    assert.match(r.stdout, /^ {2}version /m);
    assert.match(r.stdout, /-f, --file stringArray/);
  }
  assert.match(berth(['compose', 'config', '--help']).stdout, /--services/);
  const bad = berth(['compose', 'nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown berth compose command: "nope"/);
});

test('compose config: YAML, JSON, lists and hashes', () => {
  const r = inProject(['compose', 'config']);
  assert.equal(r.code, 0, r.stderr);
  const model = parse(r.stdout);
  assert.equal(model.name, 'webapp');
  assert.deepEqual(Object.keys(model.services), ['db', 'web']);
  assert.equal(model.services.web.image, 'busybox:2');
  assert.deepEqual(model.services.web.ports, [{ mode: 'ingress', target: 80, published: '8080', protocol: 'tcp' }]);
  assert.deepEqual(model.volumes, { data: { name: 'webapp_data' } });
  assert.deepEqual(JSON.parse(inProject(['compose', '--profile', 'tools', 'config', '--format', 'json']).stdout).services.debug.image, 'dbg');
  assert.equal(inProject(['compose', 'config', '--services']).stdout, 'db\nweb\n');
  assert.equal(inProject(['compose', 'config', '--volumes']).stdout, 'data\n');
  assert.equal(inProject(['compose', 'config', '--profiles']).stdout, 'tools\n');
  assert.match(inProject(['compose', 'config', '--hash', '*']).stdout, /^db [0-9a-f]{64}\nweb [0-9a-f]{64}\n$/);
  const q = inProject(['compose', '-p', 'other', 'config', '-q']);
  assert.equal(q.code, 0);
  assert.equal(q.stdout, '');
  assert.equal(parse(berth(['compose', '-f', join(project, 'compose.yaml'), '-p', 'named', 'config']).stdout).name, 'named');
});

test('compose config reports schema errors with file, line and key', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'services:\n  web:\n    image: x\n    restart: [always]\n');
  const r = berth(['compose', '-f', bad, 'config']);
  assert.equal(r.code, 15, 'compose v2\'s exit code for a project it cannot load');
  assert.match(r.stderr, /bad\.yaml:4: services\.web\.restart: must be a string/);
});

test('compose version', () => {
  assert.match(berth(['compose', 'version']).stdout, /^berth compose version \d+\.\d+\.\d+\n$/);
  assert.match(berth(['compose', 'version', '--short']).stdout, /^\d+\.\d+\.\d+\n$/);
  assert.ok(JSON.parse(berth(['compose', 'version', '--format', 'json']).stdout).version);
});

test('docker CLI plugin: metadata, and `docker compose version` runs berth compose', (t) => {
  const plugin = join(ROOT, 'bin', 'docker-compose');
  const meta = JSON.parse(run(plugin, ['docker-cli-plugin-metadata']).stdout);
  assert.equal(meta.SchemaVersion, '0.1.0');
  assert.equal(meta.Vendor, 'berth');
  if (!DOCKER_CLI) return t.skip('docker CLI not installed');
  const config = join(dir, 'docker-config');
  mkdirSync(join(config, 'cli-plugins'), { recursive: true });
  symlinkSync(plugin, join(config, 'cli-plugins', 'docker-compose'));
  const r = run(DOCKER_CLI, ['compose', 'version'], undefined, { DOCKER_CONFIG: config });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^berth compose version /);
  const help = run(DOCKER_CLI, ['--help'], undefined, { DOCKER_CONFIG: config });
  assert.match(help.stdout, /compose\*\s+Docker Compose \(berth compose\)/);
  const cfg = run(DOCKER_CLI, ['compose', '-f', join(project, 'compose.yaml'), 'config', '--services'], undefined, { DOCKER_CONFIG: config });
  assert.equal(cfg.stdout, 'db\nweb\n', cfg.stderr);
});

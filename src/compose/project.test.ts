import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadProject, type ProjectOptions } from './project.js';

const root = mkdtempSync(join(tmpdir(), 'berth-compose-'));
after(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A fresh project directory with the given files. */
function dir(files: Record<string, string>, name = `proj${count++}`): string {
  const d = join(root, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(d, file, '..'), { recursive: true });
    writeFileSync(join(d, file), text);
  }
  return d;
}
const load = (cwd: string, opts: ProjectOptions = {}) => loadProject({ cwd, env: {}, ...opts });

test('default file lookup: compose.yaml first, override file added, parents searched', () => {
  const d = dir({ 'compose.yaml': 'services:\n  a:\n    image: x\n', 'docker-compose.yml': 'services:\n  b:\n    image: y\n', 'compose.override.yml': 'services:\n  a:\n    image: z\n' });
  const warnings: string[] = [];
  const p = load(join(d), { warn: (w) => warnings.push(w) });
  assert.deepEqual(p.configFiles, [join(d, 'compose.yaml'), join(d, 'compose.override.yml')]);
  assert.deepEqual(Object.keys(p.model.services), ['a']);
  assert.equal(p.model.services.a.image, 'z');
  assert.match(warnings[0], /Found multiple config files/);
  mkdirSync(join(d, 'sub/deeper'), { recursive: true });
  assert.equal(load(join(d, 'sub/deeper')).workingDir, d);
  // Outside `root`, whose parents hold no compose file either: the lookup walks up to /.
  const empty = mkdtempSync(join(tmpdir(), 'berth-compose-empty-'));
  try {
    assert.throws(() => load(empty), /no configuration file provided: not found/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('project name: -p, COMPOSE_PROJECT_NAME, name:, then the directory normalised', () => {
  const d = dir({ 'compose.yaml': 'services: {a: {image: x}}\n' }, 'My.App_1');
  assert.equal(load(d).name, 'myapp_1');
  assert.equal(load(d, { env: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'fromenv');
  assert.equal(load(d, { projectName: 'flag', env: { COMPOSE_PROJECT_NAME: 'fromenv' } }).name, 'flag');
  const named = dir({ 'compose.yaml': 'name: ${N:-named}\nservices: {a: {image: x}}\n' });
  assert.equal(load(named).name, 'named');
  assert.equal(load(named).model.networks.default.name, 'named_default');
  assert.throws(() => load(d, { projectName: 'Bad Name' }), /invalid project name "Bad Name"/);
});

test('.env in the project directory, --env-file instead, the OS environment wins', () => {
  const d = dir({
    'compose.yaml': 'services:\n  a:\n    image: "x:${TAG}"\n    environment: [FROM_OS, UNSET]\n',
    '.env': '# comment\nTAG=dotenv\nexport OTHER="q ${TAG}"\n',
    'alt.env': "TAG='alt'\n",
    'proj/compose.yaml': 'services:\n  b:\n    image: "y:${TAG}"\n',
  });
  assert.equal(load(d).model.services.a.image, 'x:dotenv');
  assert.equal(load(d, { envFiles: ['alt.env'] }).model.services.a.image, 'x:alt');
  const p = load(d, { env: { TAG: 'os', FROM_OS: 'yes' } });
  assert.equal(p.model.services.a.image, 'x:os');
  assert.deepEqual(p.model.services.a.environment, { FROM_OS: 'yes', UNSET: null });
  assert.equal(p.environment.OTHER, 'q os');
  assert.equal(load(d).environment.OTHER, 'q dotenv');
  // --project-directory picks the .env of that directory, and the compose file found there (compose-go's
  // WithDefaultConfigPath searches the working directory it sets), not the one in the current directory.
  const fromProj = load(join(d, 'proj'), { projectDirectory: d });
  assert.deepEqual(Object.keys(fromProj.model.services), ['a']);
  assert.equal(fromProj.model.services.a.image, 'x:dotenv');
  assert.equal(load(d, { projectDirectory: 'proj' }).model.services.b.image, 'y:'); // no .env there (compose v2 2.26 alike)
  assert.throws(() => load(d, { envFiles: ['missing.env'] }), /Couldn't find env file: .*missing.env/);
});

test('interpolation errors and unset variables', () => {
  const d = dir({ 'compose.yaml': 'services:\n  a:\n    image: "${IMAGE:?set IMAGE}"\n' });
  assert.throws(() => load(d), /compose.yaml:3: required variable IMAGE is missing a value: set IMAGE/);
  const warnings: string[] = [];
  const e = dir({ 'compose.yaml': 'services:\n  a:\n    image: "x$NOPE"\n    command: echo $$HOME\n' });
  const p = load(e, { warn: (w) => warnings.push(w) });
  assert.deepEqual(warnings, ['The "NOPE" variable is not set. Defaulting to a blank string.']);
  assert.deepEqual(p.model.services.a.command, ['echo', '$HOME']);
});

test('schema errors name the file, the line and the key', () => {
  const d = dir({ 'compose.yaml': 'services:\n  web:\n    image: x\n    ports:\n      - 80\n      - true\n    restartt: always\n' });
  assert.throws(() => load(d), (err: Error) => {
    const file = err.message.split(':')[0];
    assert.match(file, /compose\.yaml$/);
    assert.equal(err.message, `${file}:6: services.web.ports[1]: must be a number or a string or an object\n${file}:7: services.web: additional properties 'restartt' not allowed`);
    return true;
  });
  const y = dir({ 'compose.yaml': 'services:\n  web: [\n' });
  assert.throws(() => load(y), /compose.yaml:\d+: /);
});

test('short syntax becomes long syntax; relative paths resolve against the project directory', () => {
  const d = dir({
    'compose.yaml': [
      'services:',
      '  web:',
      '    build: ./app',
      '    ports: ["8000:80", "127.0.0.1:9090-9091:8080-8081/udp", "3000-3001", "[::1]:6001:6001"]',
      '    volumes: ["./data:/data:ro", "cache:/cache:nocopy", "/anon"]',
      '    depends_on: [db]',
      '    labels: ["a=b"]',
      '    extra_hosts: ["somehost:162.242.195.82", "v6:::1"]',
      '  db:',
      '    image: mariadb',
      '    network_mode: none',
      'volumes:',
      '  cache:',
      '  ext:',
      '    external: true',
    ].join('\n'),
  });
  const { model } = load(d);
  const web = model.services.web;
  assert.deepEqual(web.build, { context: join(d, 'app'), dockerfile: 'Dockerfile' });
  assert.deepEqual(web.ports, [
    { mode: 'ingress', target: 80, published: '8000', protocol: 'tcp' },
    { mode: 'ingress', target: 8080, published: '9090', protocol: 'udp', host_ip: '127.0.0.1' },
    { mode: 'ingress', target: 8081, published: '9091', protocol: 'udp', host_ip: '127.0.0.1' },
    { mode: 'ingress', target: 3000, protocol: 'tcp' },
    { mode: 'ingress', target: 3001, protocol: 'tcp' },
    { mode: 'ingress', target: 6001, published: '6001', protocol: 'tcp', host_ip: '::1' },
  ]);
  assert.deepEqual(web.volumes, [
    { type: 'bind', source: join(d, 'data'), target: '/data', read_only: true, bind: { create_host_path: true } },
    { type: 'volume', source: 'cache', target: '/cache', volume: { nocopy: true } },
    { type: 'volume', target: '/anon', volume: {} },
  ]);
  assert.deepEqual(web.depends_on, { db: { condition: 'service_started', required: true } });
  assert.deepEqual(web.labels, { a: 'b' });
  assert.deepEqual(web.extra_hosts, { somehost: '162.242.195.82', v6: '::1' });
  assert.deepEqual(web.networks, { default: null });
  assert.equal(model.services.db.networks, undefined);
  assert.equal(model.volumes.cache.name, `${load(d).name}_cache`);
  assert.equal(model.volumes.ext.name, 'ext');
});

test('merge of override files as in 13-merge.md', () => {
  const d = dir({
    'compose.yaml': [
      'services:',
      '  foo:',
      '    image: myapp',
      '    key_env: &e {}',
      '    dns: [1.1.1.1]',
      '    command: ["echo", "foo"]',
      '    volumes: ["foo:/work", "keep:/keep"]',
      '    ports: ["8080:80"]',
      '    environment: {FOO: BAR, KEEP: "1"}',
      'volumes: {foo: {}, keep: {}, bar: {}, only: {}}',
    ].join('\n').replace('    key_env: &e {}\n', ''),
    'override.yaml': [
      'services:',
      '  foo:',
      '    dns: [8.8.8.8]',
      '    command: ["echo", "bar"]',
      '    volumes: ["bar:/work"]',
      '    ports: !reset []',
      '    environment:',
      '      FOO: !reset null',
    ].join('\n'),
    'replace.yaml': 'services:\n  foo:\n    volumes: !override ["only:/only"]\n',
  });
  const foo = load(d, { files: ['compose.yaml', 'override.yaml'] }).model.services.foo;
  assert.deepEqual(foo.dns, ['1.1.1.1', '8.8.8.8']);
  assert.deepEqual(foo.command, ['echo', 'bar']);
  assert.deepEqual(foo.volumes, [
    { type: 'volume', source: 'bar', target: '/work', volume: {} },
    { type: 'volume', source: 'keep', target: '/keep', volume: {} },
  ]);
  assert.equal(foo.ports, undefined);
  assert.deepEqual(foo.environment, { KEEP: '1' });
  const replaced = load(d, { files: ['compose.yaml', 'replace.yaml'] }).model.services.foo;
  assert.deepEqual(replaced.volumes, [{ type: 'volume', source: 'only', target: '/only', volume: {} }]);
});

test('extends: same file, other file (paths relative to it), cycles', () => {
  const d = dir({
    'compose.yaml': [
      'services:',
      '  common:',
      '    image: busybox',
      '    environment: {TZ: utc, PORT: 80}',
      '  cli:',
      '    extends: {service: common}',
      '    environment: [PORT=8080]',
      '  web:',
      '    extends: {file: lib/common.yml, service: webapp}',
      '    ports: ["81:81"]',
    ].join('\n'),
    'lib/common.yml': 'services:\n  webapp:\n    image: web\n    ports: ["80:80"]\n    volumes: ["./conf:/etc/conf"]\n',
  });
  const { services } = load(d).model;
  assert.deepEqual(services.cli.environment, { TZ: 'utc', PORT: '8080' });
  assert.equal(services.cli.extends, undefined);
  assert.equal(services.web.image, 'web');
  assert.deepEqual((services.web.ports as Array<{ published: string }>).map((p) => p.published), ['80', '81']);
  assert.equal((services.web.volumes as Array<{ source: string }>)[0].source, join(d, 'lib/conf'));
  const cyc = dir({ 'compose.yaml': 'services:\n  a: {extends: b, image: x}\n  b: {extends: a, image: y}\n' });
  assert.throws(() => load(cyc), /circular reference with extends/);
  const missing = dir({ 'compose.yaml': 'services:\n  a: {extends: nope, image: x}\n' });
  assert.throws(() => load(missing), /cannot extend service "nope"/);
});

test('profiles as in 15-profiles.md', () => {
  const d = dir({
    'compose.yaml': [
      'services:',
      '  foo: {image: foo}',
      '  bar: {image: bar, profiles: [test]}',
      '  baz: {image: baz, depends_on: [bar], profiles: [test]}',
      '  zot: {image: zot, depends_on: [bar], profiles: [debug]}',
    ].join('\n'),
  });
  const names = (opts: ProjectOptions) => Object.keys(load(d, opts).model.services).sort();
  assert.deepEqual(names({}), ['foo']);
  assert.deepEqual(names({ profiles: ['test'] }), ['bar', 'baz', 'foo']);
  assert.deepEqual(names({ env: { COMPOSE_PROFILES: 'test,debug' } }), ['bar', 'baz', 'foo', 'zot']);
  assert.deepEqual(names({ profiles: ['*'] }), ['bar', 'baz', 'foo', 'zot']);
  assert.throws(() => load(d, { profiles: ['debug'] }), /service "zot" depends on undefined service "bar"/);
  assert.deepEqual(names({ services: ['baz'] }), ['bar', 'baz', 'foo']);
});

test('depends_on cycles and env_file', () => {
  const cyc = dir({ 'compose.yaml': 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [a]}\n' });
  assert.throws(() => load(cyc), /dependency cycle detected: a -> b -> a/);
  const d = dir({
    'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: [a.env, {path: opt.env, required: false}]\n    environment: {B: override}\n',
    'a.env': 'A=1\nB=2\n',
  });
  assert.deepEqual(load(d).model.services.a.environment, { A: '1', B: 'override' });
  const m = dir({ 'compose.yaml': 'services:\n  a:\n    image: x\n    env_file: gone.env\n' });
  assert.throws(() => load(m), /env file .*gone.env not found/);
});

test('what a service names must be declared, and each service needs an image or a build (compose v2 alike)', () => {
  const refused = (yaml: string, message: RegExp) => assert.throws(() => load(dir({ 'compose.yaml': yaml })), message);
  refused('services: {a: {image: x, networks: [nope]}}', /service "a" refers to undefined network nope: invalid compose project$/);
  refused('services: {a: {image: x, volumes: ["nope:/x"]}}', /service "a" refers to undefined volume nope: invalid compose project$/);
  refused('services: {a: {image: x, secrets: [nope]}}', /service "a" refers to undefined secret nope: invalid compose project$/);
  refused('services: {a: {image: x, configs: [nope]}}', /service "a" refers to undefined config nope: invalid compose project$/);
  refused('services: {a: {command: x}}', /service "a" has neither an image nor a build context specified: invalid compose project$/);
  // A service a profile leaves out is not checked; `default` and anonymous volumes need no declaration.
  assert.deepEqual(Object.keys(load(dir({ 'compose.yaml': 'services: {a: {command: x, profiles: [p]}, b: {image: y, networks: [default], volumes: [/anon]}}' })).model.services), ['b']);
});

test('!reset in a single file removes the entry (compose v2 alike)', () => {
  const foo = load(dir({ 'compose.yaml': 'services:\n  foo:\n    image: x\n    ports: !reset ["80"]\n    environment:\n      FOO: !reset null\n      KEEP: "1"\n' })).model.services.foo;
  assert.equal(foo.ports, undefined);
  assert.deepEqual(foo.environment, { KEEP: '1' });
});

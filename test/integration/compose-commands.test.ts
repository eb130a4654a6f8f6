/**
 * The `berth compose` commands that act on an existing project: start,
 * stop, restart, kill, rm, pause, unpause, top, port, images, ls, events,
 * cp and ps's filters, on a project of db and two web replicas (web
 * depends on db), against a private berthd and a private dockerd 20.10;
 * and pull/push against the test registry (berthd). Order, progress lines
 * and exit codes as compose v2 gives them; states checked through inspect.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, run, TestDaemon, type RunResult } from './harness.js';
import { TestRegistry } from './registry-harness.js';

const PROJECT = 'ccproj';
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"];
const FILE = JSON.stringify({
  name: PROJECT,
  services: {
    db: { image: 'busybox:latest', command: LOOP },
    web: { image: 'busybox:latest', command: LOOP, depends_on: ['db'], ports: ['127.0.0.1::80'], deploy: { replicas: 2 } },
  },
});

class Target {
  constructor(readonly name: string, readonly host: string, readonly dir: string) {}

  get file(): string {
    return join(this.dir, 'compose.yaml');
  }

  berth(args: string[], input?: string): RunResult {
    return run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', this.host, ...args], input);
  }

  /** A compose command that must succeed; its stderr progress as trimmed lines in `lines`. */
  compose(args: string[], input?: string): RunResult & { lines: string[] } {
    const r = this.berth(['compose', '-f', this.file, ...args], input);
    assert.equal(r.code, 0, `compose ${args.join(' ')} on ${this.name}: ${r.stderr}`);
    return { ...r, lines: lines(r.stderr) };
  }

  /** A compose command that must fail with exit code 1. */
  fails(args: string[]): string {
    const r = this.berth(['compose', '-f', this.file, ...args]);
    assert.equal(r.code, 1, `compose ${args.join(' ')} should fail on ${this.name}: ${r.stdout}${r.stderr}`);
    return r.stderr;
  }

  inspect(name: string, template: string): string {
    const r = this.berth(['inspect', '-f', template, name]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  states(): string[] {
    return ['db-1', 'web-1', 'web-2'].map((c) => this.inspect(`${PROJECT}-${c}`, '{{.State.Status}}'));
  }
}

function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

function has(all: string[], ...wanted: string[]): void {
  for (const w of wanted) assert.ok(all.includes(w), `missing "${w}" in:\n${all.join('\n')}`);
}

/** `a` comes before `b` in the progress lines. */
function before_(all: string[], a: string, b: string): void {
  assert.ok(all.indexOf(a) >= 0 && all.indexOf(a) < all.indexOf(b), `"${a}" should come before "${b}" in:\n${all.join('\n')}`);
}

const c = (n: string, text: string) => `Container ${PROJECT}-${n} ${text}`;

async function queries(t: Target): Promise<void> {
  // ps in its forms.
  assert.equal(lines(t.compose(['ps', '-q']).stdout).length, 3);
  assert.equal(t.compose(['ps', '--services']).stdout, 'db\nweb\n');
  const json = lines(t.compose(['ps', '--format', 'json']).stdout).map((l) => JSON.parse(l));
  assert.deepEqual(json.map((j) => [j.Name, j.Service, j.Project, j.State]), [[`${PROJECT}-db-1`, 'db', PROJECT, 'running'], [`${PROJECT}-web-1`, 'web', PROJECT, 'running'], [`${PROJECT}-web-2`, 'web', PROJECT, 'running']]);
  assert.equal(json[1].Publishers[0].TargetPort, 80);
  assert.match(t.fails(['ps', '--status', 'sleeping']), /invalid status: sleeping/);
  // With -p and no compose file, the project comes from the containers' labels.
  assert.equal(t.berth(['compose', '-p', PROJECT, 'ps', '--services']).stdout, 'db\nweb\n');

  // ls: from labels, without the compose file.
  const ls = lines(t.berth(['compose', 'ls']).stdout).map((l) => l.split(/\s{3,}/));
  assert.deepEqual(ls[0], ['NAME', 'STATUS', 'CONFIG FILES']);
  assert.deepEqual(ls.find((r) => r[0] === PROJECT), [PROJECT, 'running(3)', t.file]);
  assert.ok(lines(t.berth(['compose', 'ls', '-q']).stdout).includes(PROJECT));
  assert.deepEqual(JSON.parse(t.berth(['compose', 'ls', '--format', 'json', '--filter', 'name=ccp']).stdout), [{ Name: PROJECT, Status: 'running(3)', ConfigFiles: t.file }]);
  assert.equal(t.berth(['compose', 'ls', '-q', '--filter', 'name=^nothing$']).stdout, '');
  assert.match(t.berth(['compose', 'ls', '--filter', 'label=x']).stderr, /invalid filter 'label'/);

  // port: each replica's own binding, as inspect has it.
  for (const [index, n] of [['0', '1'], ['2', '2']]) {
    const hostPort = t.inspect(`${PROJECT}-web-${n}`, '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}');
    assert.equal(t.compose(['port', '--index', index, 'web', '80']).stdout, `127.0.0.1:${hostPort}\n`);
  }
  assert.match(t.fails(['port', 'db', '80']), new RegExp(`no port 80/tcp for container ${PROJECT}-db-1`));
  assert.match(t.fails(['port', '--protocol', 'udp', 'web', '80']), /no port 80\/udp/);
  assert.match(t.fails(['port', '--index', '3', 'web', '80']), /service "web" is not running container #3/);
  assert.match(t.fails(['port', 'nope', '80']), /no such service: nope/);

  // images: one row per container, the image's short ID and size.
  const imageId = t.berth(['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest']).stdout.trim();
  const images = lines(t.compose(['images']).stdout).map((l) => l.split(/\s{3,}/));
  assert.deepEqual(images[0], ['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE']);
  assert.deepEqual(images.slice(1).map((r) => r.slice(0, 4)), ['db-1', 'web-1', 'web-2'].map((n) => [`${PROJECT}-${n}`, 'busybox', 'latest', imageId.replace('sha256:', '').slice(0, 12)]));
  assert.match(images[1][4], /^\d+(\.\d+)?[kM]B$/);
  assert.equal(t.compose(['images', '-q']).stdout, `${imageId.replace('sha256:', '')}\n`);
  const imagesJson = JSON.parse(t.compose(['images', '--format', 'json']).stdout);
  assert.deepEqual(imagesJson[0], { ID: imageId, ContainerName: `${PROJECT}-db-1`, Repository: 'busybox', Tag: 'latest', Size: imagesJson[0].Size });

  // top: a header with the container name, then its processes.
  const top = t.compose(['top', 'web']).stdout;
  const blocks = top.split('\n\n').filter(Boolean);
  assert.deepEqual(blocks.map((b) => b.split('\n')[0]), [`${PROJECT}-web-1`, `${PROJECT}-web-2`], top);
  assert.match(blocks[0].split('\n')[1], /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  assert.match(blocks[0], /while true/);
}

async function copies(t: Target): Promise<void> {
  const local = join(t.dir, 'greeting.txt');
  await writeFile(local, 'hello from the host\n');
  const cp = t.compose(['cp', local, 'web:/tmp/greeting.txt']);
  has(cp.lines, `${c('web-1', 'Copied')} ${local} to ${PROJECT}-web-1:/tmp/greeting.txt`);
  for (const n of ['1', '2']) assert.equal(t.berth(['exec', `${PROJECT}-web-${n}`, 'cat', '/tmp/greeting.txt']).stdout, 'hello from the host\n');
  assert.equal(t.berth(['exec', `${PROJECT}-db-1`, 'ls', '/tmp']).stdout, '', 'db is not a web container');
  assert.equal(t.berth(['exec', `${PROJECT}-web-2`, 'sh', '-c', 'echo second > /tmp/which']).code, 0);
  const back = join(t.dir, 'which.txt');
  t.compose(['cp', '--index', '2', 'web:/tmp/which', back]);
  assert.equal(await readFile(back, 'utf8'), 'second\n');
  assert.match(t.fails(['cp', 'web:/a', 'db:/b']), /copying between services is not supported/);
}

async function lifecycle(t: Target): Promise<void> {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  // stop: dependents first.
  const stop = t.compose(['stop', '-t', '1']).lines;
  has(stop, c('web-1', 'Stopped'), c('web-2', 'Stopped'), c('db-1', 'Stopped'));
  before_(stop, c('web-1', 'Stopped'), c('db-1', 'Stopping'));
  before_(stop, c('web-2', 'Stopped'), c('db-1', 'Stopping'));
  assert.deepEqual(t.states(), ['exited', 'exited', 'exited']);
  assert.ok(!lines(t.berth(['compose', 'ls', '-q']).stdout).includes(PROJECT), 'a stopped project is not listed without -a');
  assert.ok(t.berth(['compose', 'ls', '-a']).stdout.includes('exited(3)'));

  // start web: its dependency first.
  const start = t.compose(['start', 'web']).lines;
  before_(start, c('db-1', 'Started'), c('web-1', 'Starting'));
  has(start, c('web-2', 'Started'));
  assert.deepEqual(t.states(), ['running', 'running', 'running']);

  // restart: --no-deps leaves db alone; all of it restarts db first.
  const webOnly = t.compose(['restart', '--no-deps', '-t', '1', 'web']).lines;
  has(webOnly, c('web-1', 'Restarting'), c('web-1', 'Started'), c('web-2', 'Started'));
  assert.ok(!webOnly.some((l) => l.includes('db-1')), webOnly.join('\n'));
  const all = t.compose(['restart', '-t', '1']).lines;
  before_(all, c('db-1', 'Started'), c('web-1', 'Restarting'));
  // Without the file the order comes from the depends_on label.
  const byName = lines(t.berth(['compose', '-p', PROJECT, 'stop', '-t', '1']).stderr);
  before_(byName, c('web-1', 'Stopped'), c('db-1', 'Stopping'));
  has(t.compose(['start']).lines, c('web-2', 'Started'));

  // pause / unpause.
  has(lines(t.berth(['compose', '-p', PROJECT, 'pause', 'web']).stderr), c('web-1', 'Paused'), c('web-2', 'Paused'));
  assert.deepEqual(t.states(), ['running', 'paused', 'paused']);
  assert.ok(t.berth(['compose', 'ls']).stdout.includes('paused(2), running(1)'));
  has(t.compose(['unpause']).lines, c('web-1', 'Unpaused'), c('web-2', 'Unpaused'));
  assert.deepEqual(t.states(), ['running', 'running', 'running']);

  // kill: SIGKILL by default.
  has(t.compose(['kill', 'web']).lines, c('web-1', 'Killed'), c('web-2', 'Killed'));
  assert.equal(t.inspect(`${PROJECT}-web-1`, '{{.State.ExitCode}}'), '137');
  assert.equal(t.compose(['ps', '--status', 'exited', '--services']).stdout, 'web\n');
  assert.equal(lines(t.compose(['ps', '--filter', 'status=exited', '-q']).stdout).length, 2);
  assert.equal(lines(t.compose(['ps', '-q']).stdout).length, 1, 'ps without -a shows running ones');

  // rm asks first; "n" keeps them, -f removes.
  const asked = t.compose(['rm', 'web'], 'n\n');
  assert.equal(asked.stdout, `Going to remove ${PROJECT}-web-1, ${PROJECT}-web-2 [y/N] `);
  assert.equal(t.inspect(`${PROJECT}-web-1`, '{{.State.Status}}'), 'exited');
  has(t.compose(['rm', '-f', 'web']).lines, c('web-1', 'Removed'), c('web-2', 'Removed'));
  assert.match(t.compose(['rm', '-f']).stderr, /No stopped containers/);
  assert.match(t.fails(['start', 'web']), /service "web" has no container to start/);
  const rmStop = t.compose(['rm', '-s', '-f', '-v', 'db']).lines;
  before_(rmStop, c('db-1', 'Stopped'), c('db-1', 'Removing'));
  assert.equal(t.berth(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`]).stdout, '');
  assert.match(t.berth(['compose', '-f', t.file, 'kill']).stderr, /no container to kill/);

  // events: what happened since the start, then the stream ends at --until.
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const events = lines(t.compose(['events', '--json', '--since', since, '--until', until]).stdout).map((l) => JSON.parse(l));
  const web1 = events.filter((e) => e.attributes.name === `${PROJECT}-web-1`).map((e) => e.action);
  for (const action of ['stop', 'start', 'restart', 'pause', 'unpause', 'kill', 'destroy']) assert.ok(web1.includes(action), `no ${action} event for web-1: ${web1}`);
  assert.deepEqual(Object.keys(events[0]), ['action', 'attributes', 'id', 'service', 'time', 'type']);
  assert.ok(events.every((e) => e.type === 'container' && !Object.keys(e.attributes).some((k) => k.startsWith('com.docker.compose.'))));
  const dbText = t.compose(['events', '--since', since, '--until', until, 'db']).stdout;
  assert.match(dbText, new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{6} container stop [0-9a-f]{64} \\(.*name=${PROJECT}-db-1.*\\)\\n\\n`, 'm'));
  assert.ok(!dbText.includes(`${PROJECT}-web-1`), 'only db events');
}

async function onTarget(t: Target): Promise<void> {
  assert.equal(t.berth(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']).code, 0);
  await writeFile(t.file, FILE);
  try {
    t.compose(['up', '-d']);
    await queries(t);
    await copies(t);
    await lifecycle(t);
  } catch (err) {
    if (err instanceof Error) err.message = `[${t.name}] ${err.message}`;
    throw err;
  } finally {
    t.berth(['compose', '-f', t.file, 'down', '-v', '-t', '0']);
  }
}

/** Each daemon the scenario runs against, with why it is skipped when it cannot run here. */
const DAEMONS: Array<{ name: string; skip?: string; start: () => Promise<{ host: string; stop(): Promise<void> }> }> = [
  { name: 'berthd', start: () => TestDaemon.start() },
  { name: 'dockerd 20.10', skip: dockerdSkipReason(), start: () => ReferenceDockerd.start() },
];

describe('berth compose commands on a running project', () => {
  for (const target of DAEMONS) {
    test(`against ${target.name}`, { skip: target.skip }, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'berth-compose-cmds-'));
      const daemon = await target.start();
      try {
        await onTarget(new Target(target.name, daemon.host, dir));
      } finally {
        await daemon.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('berth compose pull / push with the test registry', () => {
  test('against berthd', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-compose-pull-'));
    const registry = await TestRegistry.start();
    const daemon = await TestDaemon.start();
    const t = new Target('berthd', daemon.host, dir);
    try {
      assert.equal(t.berth(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']).code, 0);
      const app = `${registry.hostPort}/cc/app:1`;
      assert.equal(t.berth(['tag', 'busybox:latest', app]).code, 0);
      await writeFile(t.file, JSON.stringify({
        name: 'ccpull',
        services: {
          app: { image: app, build: { context: '.' } },
          local: { image: 'busybox:latest', pull_policy: 'missing' },
          never: { image: 'busybox:latest', pull_policy: 'never' },
          gone: { image: `${registry.hostPort}/cc/gone:1`, build: { context: '.' }, profiles: ['gone'] },
        },
      }));
      // push: only services that are built; the others are skipped.
      const push = t.compose(['push']).lines;
      has(push, 'app Pushing', 'app Pushed', 'local Skipped', 'never Skipped');
      assert.equal(t.compose(['push', '-q', 'app']).stderr, '');
      assert.match(t.fails(['--profile', 'gone', 'push', 'gone']), /gone/);
      const ignored = t.compose(['--profile', 'gone', 'push', '--ignore-push-failures', 'gone']);
      assert.match(ignored.stderr, /^Pushing gone: /m);

      // pull: app comes back from the registry; pull_policy decides for the others.
      assert.equal(t.berth(['rmi', app]).code, 0);
      const pull = t.compose(['pull']).lines;
      has(pull, 'app Pulling', 'app Pulled', 'local Skipped - Image is already present locally', 'Image busybox:latest Skipped');
      assert.equal(t.berth(['image', 'inspect', '-f', '{{.Id}}', app]).stdout, t.berth(['image', 'inspect', '-f', '{{.Id}}', 'busybox:latest']).stdout);
      assert.equal(t.compose(['pull', '-q', 'app']).stderr, '');
      // A failed pull of a buildable image: reported, the build suggested, exit 1 unless ignored.
      const failed = t.berth(['compose', '-f', t.file, '--profile', 'gone', 'pull', 'gone']);
      assert.equal(failed.code, 1, failed.stderr);
      assert.match(failed.stderr, /gone Error /);
      assert.match(failed.stderr, /must be built from source by running:\n {4}berth compose build gone/);
      t.compose(['--profile', 'gone', 'pull', '--ignore-pull-failures', 'gone']);

      // --policy replaces the file's pull_policy: always pulls even a `never`, missing skips what is there.
      await writeFile(t.file, JSON.stringify({ name: 'ccpull', services: { app: { image: app, pull_policy: 'never' } } }));
      has(t.compose(['pull']).lines, `Image ${app} Skipped`);
      has(t.compose(['pull', '--policy', 'always']).lines, 'app Pulling', 'app Pulled');
      has(t.compose(['pull', '--policy', 'missing']).lines, 'app Skipped - Image is already present locally');
    } finally {
      await daemon.stop();
      await registry.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

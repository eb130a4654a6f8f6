/**
 * `berth compose exec` and `berth compose run` against a private berthd and
 * dockerd 20.10: the exit code of the command, -e/-w/-u/--index/-d for
 * exec; for run the one-off container's name and labels, its dependencies
 * started first (and not with --no-deps), --rm, -e, --entrypoint, -v with a
 * relative path, -p and --service-ports.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, run, TestDaemon, type RunResult } from './harness.js';

const PROJECT = 'cexec';
const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"];

const FILE = {
  name: PROJECT,
  services: {
    db: { image: 'busybox:latest', command: LOOP, deploy: { replicas: 2 }, environment: { ROLE: 'db' }, healthcheck: { test: ['CMD', 'true'], interval: '1s' } },
    web: { image: 'busybox:latest', command: ['echo', 'default'], depends_on: { db: { condition: 'service_healthy' } }, ports: ['127.0.0.1::8080'], restart: 'always', environment: { FROM_FILE: 'yes' } },
  },
};

function check(t: { name: string; dir: string; host: string }): void {
  const berth = (args: string[]): RunResult => run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', t.host, ...args]);
  const compose = (args: string[]): RunResult => berth(['compose', '-f', join(t.dir, 'compose.yaml'), ...args]);
  const ok = (r: RunResult, what: string) => assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  const labelsOf = (name: string) => JSON.parse(berth(['inspect', '-f', '{{json .Config.Labels}}', name]).stdout) as Record<string, string>;

  // run: dependencies first, the command's exit code, -e over the service's environment, --rm leaves nothing.
  const first = compose(['run', '--rm', '-e', 'X=1', 'web', 'sh', '-c', 'echo "$X $FROM_FILE"; exit 3']);
  assert.equal(first.code, 3, first.stderr);
  assert.equal(first.stdout.trim(), '1 yes');
  assert.match(first.stderr, new RegExp(`Container ${PROJECT}-db-1 +Healthy`));
  assert.equal(berth(['ps', '-aq', '--filter', 'label=com.docker.compose.oneoff=True']).stdout.trim(), '', '--rm removed the one-off container');

  // exec: --index, -e, -w, -u and the exit code; -T because the test has no terminal.
  const ex = compose(['exec', '-T', '--index', '2', '-e', 'FOO=bar', '-w', '/tmp', '-u', '1000', 'db', 'sh', '-c', 'echo $FOO $ROLE; pwd; id -u; hostname; exit 4']);
  assert.equal(ex.code, 4, ex.stderr);
  const [env, pwd, uid, host] = ex.stdout.trim().split('\n');
  assert.deepEqual([env, pwd, uid], ['bar db', '/tmp', '1000']);
  assert.equal(host, berth(['inspect', '-f', '{{.Config.Hostname}}', `${PROJECT}-db-2`]).stdout.trim(), 'ran in db-2');
  const missing = compose(['exec', '-T', '--index', '3', 'db', 'true']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /service "db" is not running container #3/);
  ok(compose(['exec', '-d', 'db', 'touch', '/tmp/detached']), 'exec -d');
  let seen = false;
  for (let i = 0; i < 100 && !seen; i++) seen = compose(['exec', '-T', 'db', 'test', '-e', '/tmp/detached']).code === 0;
  assert.ok(seen, 'exec -d ran its command');

  // run -d: the one-off container's name, labels, restart policy and ports.
  const detached = compose(['run', '-d', '-l', 'extra=1', 'web', 'sleep', '60']);
  ok(detached, 'run -d');
  const id = detached.stdout.trim();
  const name = berth(['inspect', '-f', '{{.Name}}', id]).stdout.trim().replace(/^\//, '');
  assert.match(name, new RegExp(`^${PROJECT}-web-run-[0-9a-f]{12}$`));
  const labels = labelsOf(id);
  assert.equal(labels['com.docker.compose.oneoff'], 'True');
  assert.equal(labels['com.docker.compose.service'], 'web');
  assert.equal(labels.extra, '1');
  assert.match(labels['com.docker.compose.slug'], new RegExp(`^${name.slice(-12)}[0-9a-f]{52}$`));
  assert.equal(labels['com.docker.compose.container-number'], undefined);
  assert.equal(berth(['inspect', '-f', '{{.HostConfig.RestartPolicy.Name}} {{len .HostConfig.PortBindings}}', id]).stdout.trim(), 'no 0');
  ok(berth(['rm', '-f', id]), 'rm');

  // --entrypoint, --name, -v relative to the project, -p, --service-ports.
  const entry = compose(['run', '--rm', '--entrypoint', 'cat', '-v', './shared:/mnt', 'web', '/mnt/file']);
  ok(entry, 'run --entrypoint');
  assert.equal(entry.stdout, 'from the host\n');
  const ports = compose(['run', '-d', '--name', `${PROJECT}-ports`, '--service-ports', '-p', '127.0.0.1::9090', 'web', 'sleep', '60']);
  ok(ports, 'run --service-ports');
  assert.equal(berth(['inspect', '-f', '{{range $p, $b := .HostConfig.PortBindings}}{{$p}} {{end}}', `${PROJECT}-ports`]).stdout.trim(), '8080/tcp 9090/tcp');
  ok(berth(['rm', '-f', `${PROJECT}-ports`]), 'rm');

  // --no-deps: with the project down, nothing but the one-off container is made.
  ok(compose(['down', '-t', '0']), 'down');
  const alone = compose(['run', '--rm', '--no-deps', 'web', 'true']);
  ok(alone, 'run --no-deps');
  assert.equal(berth(['ps', '-aq']).stdout.trim(), '', 'no dependency was started');
}

describe('berth compose exec / run', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-exec-'));
    await mkdir(join(dir, 'shared'));
    await writeFile(join(dir, 'shared', 'file'), 'from the host\n');
    await writeFile(join(dir, 'compose.yaml'), JSON.stringify(FILE));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const scenario = async (name: string, host: string, importImage: (tar: string) => RunResult) => {
    assert.equal(importImage(await busyboxRootfs()).code, 0);
    try {
      check({ name, dir, host });
    } catch (err) {
      if (err instanceof Error) err.message = `[${name}] ${err.message}`;
      throw err;
    } finally {
      run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', host, 'compose', '-f', join(dir, 'compose.yaml'), 'down', '-v', '-t', '0']);
    }
  };

  test('against berthd', async () => {
    const daemon = await TestDaemon.start();
    try {
      await scenario('berthd', daemon.host, (tar) => run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', daemon.host, 'import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']));
    } finally {
      await daemon.stop();
    }
  });

  test('against dockerd 20.10', { skip: dockerdSkipReason() }, async () => {
    const daemon = await ReferenceDockerd.start();
    try {
      await scenario('dockerd', daemon.host, (tar) => daemon.docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']));
    } finally {
      await daemon.stop();
    }
  });
});

/**
 * Volumes through the API, the berth CLI and the docker CLI.
 *
 * Part 1 needs no berthd: the volume routes on a Router over a real
 * LocalVolumeService in a temp dir, served on a private socket, so the CLIs'
 * exact output is checked whatever the daemon wires. Part 2 runs the issue's
 * scenarios against a private berthd once it serves /volumes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from '../../src/api/router.js';
import { sendError } from '../../src/api/errors.js';
import { volumeRoutes } from '../../src/api/routes/volumes.js';
import { LocalVolumeService } from '../../src/engine/volumes/store.js';
import { busyboxRootfs, DOCKER_CLI, ROOT, TestDaemon, unmountUnder, type RunResult } from './harness.js';

/** Like the harness's run, but without blocking: the API server runs in this very process. */
function runAsync(cmd: string, args: string[], input?: string, env: Record<string, string> = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The volume routes alone, behind /_ping, on a unix socket. */
async function serveVolumeRoutes(dir: string): Promise<{ server: Server; host: string; volumes: LocalVolumeService }> {
  const volumes = new LocalVolumeService(join(dir, 'volumes'));
  const router = new Router();
  volumeRoutes(router, { volumes });
  const server = createServer((raw, res) => {
    res.setHeader('Api-Version', '1.45');
    res.setHeader('Ostype', 'linux');
    const url = new URL(raw.url ?? '/', 'http://berth');
    const versioned = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
    const path = versioned ? versioned[2]! : url.pathname;
    if (path === '/_ping') return void res.writeHead(200).end('OK');
    const match = router.match(raw.method ?? 'GET', path);
    if (!match) return void res.writeHead(404).end('{"message":"page not found"}');
    const req = { raw, method: raw.method ?? 'GET', path, params: match.params, query: url.searchParams, version: versioned?.[1] ?? '1.45' };
    match.handler(req, res).catch((err) => sendError(res, err));
  });
  const socket = join(dir, 'api.sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { server, host: `unix://${socket}`, volumes };
}

describe('volume routes and CLIs (no daemon)', () => {
  let dir: string;
  let server: Server;
  let host: string;
  let volumes: LocalVolumeService;
  const berth = (...args: string[]) => runAsync(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', host, ...args]);
  const docker = (...args: string[]) => runAsync(DOCKER_CLI!, ['-H', host, ...args], undefined, { DOCKER_CONFIG: join(dir, 'docker-config') });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-vol-api-'));
    ({ server, host, volumes } = await serveVolumeRoutes(dir));
  });
  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    unmountUnder(dir);
    await rm(dir, { recursive: true, force: true });
  });

  test('berth volume create, ls, inspect, rm as docker prints them', async () => {
    assert.deepEqual(await berth('volume', 'create', 'data10'), { code: 0, stdout: 'data10\n', stderr: '' });
    assert.equal((await berth('volume', 'create', '--label', 'tier=db', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'data2')).stdout, 'data2\n');
    const anon = (await berth('volume', 'create')).stdout.trim();
    assert.match(anon, /^[0-9a-f]{64}$/);
    // Natural order, as docker sorts: the anonymous volume's random hex name may sort before or after "data".
    const order = [anon, 'data2', 'data10'].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    assert.equal((await berth('volume', 'ls')).stdout, `DRIVER    VOLUME NAME\n${order.map((n) => `local     ${n}\n`).join('')}`);
    assert.equal((await berth('volume', 'ls', '-q', '--filter', 'label=tier=db')).stdout, 'data2\n');
    assert.equal((await berth('volume', 'ls', '--format', '{{.Name}} {{.Scope}} {{.Labels}} {{.Links}}', '-f', 'name=data2')).stdout, 'data2 local tier=db N/A\n');
    const inspect = await berth('volume', 'inspect', 'data2');
    assert.equal(inspect.code, 0, inspect.stderr);
    const [volume] = JSON.parse(inspect.stdout) as Record<string, unknown>[];
    assert.deepEqual(Object.keys(volume!), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.deepEqual(volume!.Options, { device: 'tmpfs', o: 'size=1m', type: 'tmpfs' });
    assert.equal(volume!.Mountpoint, join(dir, 'volumes', 'data2', '_data'));
    assert.match(inspect.stdout, /^\[\n {4}\{\n {8}"CreatedAt": /);
    assert.equal((await berth('volume', 'inspect', '-f', '{{.Driver}}:{{.Name}}', 'data2')).stdout, 'local:data2\n');
    const missing = await berth('volume', 'inspect', 'data2', 'nope');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: get nope: no such volume\n');
    assert.equal(JSON.parse(missing.stdout).length, 1);
    assert.equal((await berth('volume', 'create', 'x')).stderr.trim(), 'Error response from daemon: create x: volume name is too short, names should be at least two alphanumeric characters');
    volumes.attach('data10', 'c'.repeat(64));
    const inUse = await berth('volume', 'rm', 'data10', 'data2');
    assert.deepEqual(inUse, { code: 1, stdout: 'data2\n', stderr: `Error response from daemon: remove data10: volume is in use - [${'c'.repeat(64)}]\n` });
    assert.equal((await berth('volume', 'rm', '-f', 'never-was')).code, 0);
    volumes.detach('data10', 'c'.repeat(64));
  });

  test('berth volume prune: prompt, anonymous only unless -a, total reclaimed', async () => {
    const anon = (await berth('volume', 'create')).stdout.trim();
    await writeFile(join(dir, 'volumes', anon, '_data', 'f'), 'x'.repeat(2000));
    const declined = await runAsync(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', host, 'volume', 'prune'], 'n\n');
    assert.equal(declined.stdout, 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ');
    const pruned = await berth('volume', 'prune', '-f');
    assert.ok(pruned.stdout.startsWith('Deleted Volumes:\n'), pruned.stdout);
    assert.ok(pruned.stdout.includes(`${anon}\n`));
    assert.match(pruned.stdout, /\n\nTotal reclaimed space: 2kB\n$/);
    assert.equal((await berth('volume', 'ls', '-q')).stdout, 'data10\n');
    assert.equal((await berth('volume', 'prune', '-f')).stdout, 'Total reclaimed space: 0B\n');
    assert.equal((await berth('volume', 'prune', '-a', '-f')).stdout, 'Deleted Volumes:\ndata10\n\nTotal reclaimed space: 0B\n');
  });

  test('the real docker CLI reads the same answers', { skip: !DOCKER_CLI && 'docker CLI not installed' }, async () => {
    assert.equal((await docker('volume', 'create', '--label', 'a=b', 'dvol1')).stdout, 'dvol1\n');
    for (const args of [['volume', 'ls'], ['volume', 'ls', '-q'], ['volume', 'inspect', 'dvol1'], ['volume', 'ls', '--format', '{{json .}}']]) {
      const theirs = await docker(...args);
      const ours = await berth(...args);
      assert.equal(ours.stdout, theirs.stdout, args.join(' '));
    }
    assert.equal((await docker('volume', 'rm', 'dvol1')).stdout, 'dvol1\n');
    const gone = await docker('volume', 'inspect', 'dvol1');
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no such volume/);
  });
});

describe('volumes through berthd', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  let daemon: TestDaemon;
  let scratch: string;
  const docker = (...args: string[]) => daemon.docker(args);

  before(async () => {
    daemon = await TestDaemon.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-vol-it-'));
    assert.equal((await daemon.api('GET', '/volumes')).status, 200, 'berthd serves /volumes');
    const imported = docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await daemon?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test('named volume data survives rm and shows up in a new container', () => {
    assert.equal(docker('run', '--rm', '-v', 'keep:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f').code, 0);
    assert.equal(docker('run', '--rm', '-v', 'keep:/data', 'busybox', 'cat', '/data/f').stdout, 'kept\n');
    const mounts = JSON.parse(docker('inspect', '-f', '{{json .Mounts}}', docker('create', '-v', 'keep:/data:ro', 'busybox').stdout.trim()).stdout);
    assert.deepEqual(mounts[0], {
      Type: 'volume', Name: 'keep', Source: join(daemon.dataRoot, 'volumes', 'keep', '_data'), Destination: '/data', Driver: 'local', Mode: 'ro', RW: false, Propagation: '',
    });
  });

  test('copy-up fills a new volume from the image', () => {
    const out = docker('run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'ls', '/etc');
    assert.equal(out.code, 0, out.stderr);
    assert.ok(docker('run', '--rm', '-v', 'etcvol:/x', 'busybox', 'ls', '/x').stdout.length > 0);
  });

  test('ro is enforced', () => {
    const r = docker('run', '--rm', '-v', 'rovol:/data:ro', 'busybox', 'touch', '/data/x');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /Read-only file system/);
  });

  test('volumes-from: a data-only container that has exited lends its volumes, two levels deep', () => {
    assert.equal(docker('create', '--name', 'store', '-v', '/shared', 'busybox', 'true').code, 0);
    assert.equal(docker('run', '--name', 'mid', '--volumes-from', 'store', 'busybox', 'sh', '-c', 'echo one > /shared/f').code, 0);
    assert.equal(docker('run', '--rm', '--volumes-from', 'mid:ro', 'busybox', 'cat', '/shared/f').stdout, 'one\n');
  });

  test('rm -v removes the anonymous volumes a container made, not an anonymous volume it was given by name (as dockerd)', () => {
    assert.equal(docker('create', '--name', 'first', '-v', '/anon', 'busybox', 'true').code, 0);
    const anon = docker('inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'first').stdout.trim();
    assert.match(anon, /^[0-9a-f]{64}$/);
    // A recreated container (compose) takes its predecessor's anonymous volume by name.
    assert.equal(docker('create', '--name', 'second', '-v', `${anon}:/anon`, 'busybox', 'true').code, 0);
    assert.equal(docker('rm', '-v', 'first').code, 0);
    assert.equal(docker('volume', 'inspect', anon).code, 0, 'in use by second');
    assert.equal(docker('rm', '-v', 'second').code, 0);
    assert.equal(docker('volume', 'inspect', anon).code, 0, 'named in second\'s request: kept');
    assert.equal(docker('create', '--name', 'third', '-v', '/anon', 'busybox', 'true').code, 0);
    const own = docker('inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'third').stdout.trim();
    assert.equal(docker('rm', '-v', 'third').code, 0);
    assert.notEqual(docker('volume', 'inspect', own).code, 0, 'its own anonymous volume goes');
    assert.equal(docker('volume', 'rm', anon).code, 0);
  });

  test('bind mounts: missing -v source is created, missing --mount source is an error', async () => {
    const made = join(scratch, 'made', 'here');
    assert.equal(docker('run', '--rm', '-v', `${made}:/m`, 'busybox', 'true').code, 0);
    const bad = docker('run', '--rm', '--mount', `type=bind,source=${join(scratch, 'nope')},target=/m`, 'busybox', 'true');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /bind source path does not exist/);
    await mkdir(join(scratch, 'www'));
    await writeFile(join(scratch, 'www', 'index.html'), 'hello from the host\n');
    assert.equal(docker('run', '--rm', '-v', `${join(scratch, 'www')}:/www:ro`, 'busybox', 'cat', '/www/index.html').stdout, 'hello from the host\n');
  });

  test('prune removes only unused volumes', () => {
    assert.equal(docker('create', '--name', 'holder', '-v', 'held:/d', 'busybox').code, 0);
    docker('volume', 'create', 'loose');
    const pruned = docker('volume', 'prune', '-a', '-f');
    assert.match(pruned.stdout, /loose/);
    assert.doesNotMatch(pruned.stdout, /held/);
    assert.equal(docker('volume', 'inspect', 'held').code, 0);
    assert.match(docker('system', 'df').stdout, /^Local Volumes\s+\d+\s+\d+/m);
    const df = JSON.parse(docker('system', 'df', '--format', '{{json .}}').stdout.split('\n')[2]!);
    assert.equal(df.Type, 'Local Volumes');
    assert.ok(Number(df.TotalCount) >= 1 && Number(df.Active) >= 1, JSON.stringify(df));
  });
});

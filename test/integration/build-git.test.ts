/**
 * Remote build contexts the engine fetches (POST /build?remote=…): git
 * repositories (git:// from a `git daemon` and dumb http from a static
 * server, both on 127.0.0.1) with `#ref:subdir`, and http tarballs, through
 * `berth build` and `berth compose build`. Failures (bad ref, missing
 * subdir, unreachable host, 404) answer with dockerd 20.10's texts and
 * statuses, compared with a private dockerd when installed, and leave no
 * clone behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, Target } from './compose-helpers.js';
import { dockerdSkipReason, ReferenceDockerd, run, TestDaemon, waitForValue, type RunResult } from './harness.js';
import { serveDirectory } from './serve-directory.js';

function ok(r: RunResult, what: string): RunResult {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r;
}

/** POST /build?remote=URL with an empty body, on any engine's socket. */
function buildRemote(host: string, remote: string, extra = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const path = `/v1.41/build?remote=${encodeURIComponent(remote)}${extra}`;
    const req = request({ socketPath: host.replace('unix://', ''), method: 'POST', path, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('remote build contexts: git and http, fetched by the engine', () => {
  let daemon: TestDaemon;
  let dir: string;
  let gitd: ChildProcess | undefined;
  let gitPort: number;
  let www: { port: number; close: () => void } | undefined;
  let berth: Target;

  before(async () => {
    daemon = await TestDaemon.start();
    dir = await mkdtemp(join(tmpdir(), 'berth-build-git-'));
    const src = join(dir, 'src');
    await mkdir(join(src, 'app'), { recursive: true });
    const git = (...args: string[]) => ok(run('git', ['-C', src, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args]), `git ${args[0]}`);
    ok(run('git', ['init', '-q', '-b', 'master', src]), 'git init');
    await writeFile(join(src, 'Dockerfile'), 'FROM busybox\nCOPY . /ctx\n');
    await writeFile(join(src, 'app', 'Dockerfile'), 'FROM busybox\nCOPY hello /hello\nCMD ["cat", "/hello"]\n');
    await writeFile(join(src, 'app', 'hello'), 'from master\n');
    git('add', '-A');
    git('commit', '-qm', 'one');
    git('tag', 'v1');
    git('checkout', '-qb', 'feature');
    await writeFile(join(src, 'app', 'hello'), 'from feature\n');
    git('commit', '-qam', 'two');
    git('checkout', '-q', 'master');
    // The bare copy is served by git daemon (git://) and, with its info/refs, as plain files (dumb http).
    const served = join(dir, 'served');
    await mkdir(served);
    ok(run('git', ['clone', '-q', '--bare', src, join(served, 'repo.git')]), 'git clone --bare');
    ok(run('git', ['-C', join(served, 'repo.git'), 'update-server-info']), 'git update-server-info');
    const tarred = join(dir, 'tarred');
    await mkdir(tarred);
    await writeFile(join(tarred, 'Dockerfile'), 'FROM busybox\nCOPY x /x\nCMD ["cat", "/x"]\n');
    await writeFile(join(tarred, 'x'), 'from a tarball\n');
    ok(run('tar', ['-czf', join(served, 'ctx.tar.gz'), '-C', tarred, '.']), 'tar');
    gitPort = await freePort();
    gitd = spawn('git', ['daemon', '--reuseaddr', `--base-path=${served}`, '--export-all', '--listen=127.0.0.1', `--port=${gitPort}`, served], { stdio: 'ignore' });
    await waitForValue('git daemon', async () => (run('git', ['ls-remote', `git://127.0.0.1:${gitPort}/repo.git`]).code === 0 ? true : undefined));
    www = await serveDirectory(served);
    berth = new Target('berthd', daemon.host, dir);
    await berth.importBusybox();
  });

  after(async () => {
    gitd?.kill();
    www?.close();
    if (daemon) await daemon.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const clonesLeft = async (): Promise<string[]> => (await readdir(join(daemon.dataRoot, 'builder')).catch(() => [])).filter((n) => n.startsWith('git-'));

  test('berth build of a git:// URL with #ref:subdir, a tag, and the default master', async () => {
    ok(berth.berth(['build', '-t', 'feat', `git://127.0.0.1:${gitPort}/repo.git#feature:app`]), 'build #feature:app');
    assert.equal(ok(berth.berth(['run', '--rm', 'feat']), 'run').stdout, 'from feature\n');
    ok(berth.berth(['build', '-t', 'tagged', `git://127.0.0.1:${gitPort}/repo.git#v1:app`]), 'build #v1:app');
    assert.equal(ok(berth.berth(['run', '--rm', 'tagged']), 'run').stdout, 'from master\n');
    ok(berth.berth(['build', '-t', 'whole', `git://127.0.0.1:${gitPort}/repo.git`]), 'build of the whole repository');
    // The whole checkout is the context, .git included, as dockerd has it.
    const listed = ok(berth.berth(['run', '--rm', 'whole', 'ls', '-a', '/ctx']), 'ls').stdout;
    assert.deepEqual(listed.split('\n').filter(Boolean).sort(), ['.', '..', '.git', 'Dockerfile', 'app']);
    assert.deepEqual(await clonesLeft(), []);
  });

  test('a git repository over dumb http, and an http tarball, as remote= of the API', async () => {
    const git = await buildRemote(daemon.host, `http://127.0.0.1:${www!.port}/repo.git#feature:app`, '&t=dumb');
    assert.equal(git.status, 200, git.body);
    assert.match(git.body, /Successfully tagged dumb:latest/);
    assert.equal(ok(berth.berth(['run', '--rm', 'dumb']), 'run').stdout, 'from feature\n');
    const tarball = await buildRemote(daemon.host, `http://127.0.0.1:${www!.port}/ctx.tar.gz`, '&t=tarball');
    assert.equal(tarball.status, 200, tarball.body);
    assert.equal(ok(berth.berth(['run', '--rm', 'tarball']), 'run').stdout, 'from a tarball\n');
    assert.deepEqual(await clonesLeft(), []);
  });

  test('berth compose builds services from a git URL and an http tarball', async () => {
    await writeFile(join(dir, 'compose.yaml'), `services:
  fromgit:
    build: git://127.0.0.1:${gitPort}/repo.git#feature:app
    image: fromgit
  fromtar:
    build:
      context: http://127.0.0.1:${www!.port}/ctx.tar.gz
    image: fromtar
`);
    ok(berth.composeRaw(['-p', 'remote', 'build']), 'compose build');
    assert.equal(ok(berth.berth(['run', '--rm', 'fromgit']), 'run').stdout, 'from feature\n');
    assert.equal(ok(berth.berth(['run', '--rm', 'fromtar']), 'run').stdout, 'from a tarball\n');
  });

  test('failures answer as dockerd does and leave no clone behind', { timeout: 300_000 }, async () => {
    const unused = await freePort();
    const cases = [
      `git://127.0.0.1:${gitPort}/repo.git#nope`,
      `git://127.0.0.1:${gitPort}/repo.git#master:missing`,
      `git://127.0.0.1:${gitPort}/repo.git#master:app/hello`,
      `git://127.0.0.1:${gitPort}/repo.git#-x`,
      `git://127.0.0.1:${unused}/repo.git`,
      `http://127.0.0.1:${www!.port}/missing.tar.gz`,
      `http://127.0.0.1:${unused}/ctx.tar.gz`,
      'not-a-url',
    ];
    // Temporary paths differ between the engines.
    const normal = (r: { status: number; body: string }) => ({ status: r.status, message: (JSON.parse(r.body) as { message: string }).message.replace(/\/\S*\/(git-|docker-build-git)\w+/g, 'CLONE') });
    const ours = [];
    for (const url of cases) ours.push(normal(await buildRemote(daemon.host, url)));
    assert.match(ours[0].message, /^error fetching: fatal: couldn't find remote ref nope\n: exit status 128$/);
    assert.equal(ours[1].message, 'stat CLONE/missing: no such file or directory');
    assert.equal(ours[2].message, 'error setting git context, not a directory: CLONE/app/hello');
    assert.equal(ours[3].message, 'invalid refspec: -x');
    assert.equal(ours[5].status, 404);
    assert.deepEqual(await clonesLeft(), []);
    const r = berth.berth(['build', `git://127.0.0.1:${gitPort}/repo.git#nope`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error fetching: fatal: couldn't find remote ref nope/);
    if (dockerdSkipReason()) return;
    const reference = await ReferenceDockerd.start();
    try {
      const theirs = [];
      for (const url of cases) theirs.push(normal(await buildRemote(reference.host, url)));
      assert.deepEqual(ours, theirs);
    } finally {
      await reference.stop();
    }
  });
});

/**
 * berth's CLI against a private dockerd, compared with the real docker CLI:
 * same daemon, same commands, same bytes (ages masked, since they tick).
 * Needs root, /usr/sbin/dockerd and a docker CLI; skips otherwise.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

const DOCKERD = '/usr/sbin/dockerd';
const DOCKER_CLI = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));
// Compiled to dist/test/integration/: the repository root is three levels up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BERTH = path.join(ROOT, 'bin/berth');
const BUNDLE = path.join(ROOT, 'dist/bundle/berth/main.mjs');
const BUNDLE_BUILD = [
  'esbuild', 'src/cli/main.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--splitting',
  '--outdir=dist/bundle/berth', '--entry-names=[name]', '--chunk-names=chunks/[name]-[hash]', '--out-extension:.js=.mjs',
];

const skipReason = !existsSync(DOCKERD)
  ? 'dockerd not installed'
  : !DOCKER_CLI
    ? 'docker CLI not installed'
    : process.getuid?.() !== 0
      ? 'dockerd needs root'
      : undefined;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Ages tick between the two runs; mask them and the column padding they shift. */
function maskTimes(text: string): string {
  return text
    .replace(/(Less than a second|About a minute|About an hour|\d+ (seconds?|minutes|hours|days|weeks|months|years)) ago/g, '<ago>')
    .replace(/ {2,}/g, '  ');
}

describe('berth CLI vs docker CLI on a private dockerd', { skip: skipReason }, () => {
  let dir = '';
  let dockerd: ChildProcess | undefined;
  let host = '';
  const docker = (...args: string[]) => run(DOCKER_CLI!, args, { DOCKER_HOST: host });
  const berth = (...args: string[]) => run(process.execPath, [BERTH, '-H', host, ...args], { DOCKER_HOST: '', BERTH_HOST: '' });

  /** Runs the same command through both CLIs and asserts identical results. */
  async function same(args: string[], mask = false): Promise<Result> {
    const [ours, theirs] = [await berth(...args), await docker(...args)];
    const norm = (s: string) => (mask ? maskTimes(s) : s);
    assert.equal(norm(ours.stdout), norm(theirs.stdout), `stdout of ${args.join(' ')}`);
    assert.equal(ours.stderr.replaceAll('berth', 'docker'), theirs.stderr, `stderr of ${args.join(' ')}`);
    assert.equal(ours.code, theirs.code, `exit code of ${args.join(' ')}`);
    return ours;
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-dref-'));
    host = `unix://${dir}/docker.sock`;
    if (!existsSync(BUNDLE)) {
      const built = await run(path.join(ROOT, 'node_modules/.bin/esbuild'), BUNDLE_BUILD.slice(1));
      assert.equal(built.code, 0, built.stderr);
    }
    dockerd = spawn(
      DOCKERD,
      ['--data-root', `${dir}/data`, '--exec-root', `${dir}/exec`, '--pidfile', `${dir}/docker.pid`, '-H', host, '--bridge', 'none', '--iptables=false', '--ip-masq=false'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if ((await docker('version')).code === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const tar = path.join(dir, 'bb.tar');
    const made = await run(path.join(ROOT, 'scripts/busybox-rootfs.sh'), [tar]);
    assert.equal(made.code, 0, made.stderr);
    const imported = await docker('import', '-c', 'CMD ["sh"]', tar, 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    if (dockerd && dockerd.exitCode === null) {
      const exited = new Promise((r) => dockerd!.once('exit', r));
      dockerd.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15000))]);
      if (dockerd.exitCode === null) dockerd.kill('SIGKILL');
    }
    if (!dir) return;
    // dockerd may leave overlay and shm mounts behind; unmount deepest first.
    const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => ''))
      .split('\n')
      .map((line) => line.split(' ')[1])
      .filter((m) => m && m.startsWith(dir))
      .sort((a, b) => b.length - a.length);
    for (const mount of mounts) await run('umount', ['-l', mount]);
    await rm(dir, { recursive: true, force: true });
  });

  test('images, with and without a format', async () => {
    await same(['images'], true);
    await same(['images', '--format', '{{.Repository}}:{{.Tag}}']);
    await same(['images', '-q']);
    await same(['images', '--no-trunc'], true);
    await same(['images', '-f', 'reference=busy*', '--format', '{{.ID}}']);
  });

  test('image inspect and history', async () => {
    await same(['image', 'inspect', '-f', '{{.Config.Cmd}}', 'busybox']);
    await same(['image', 'inspect', 'busybox']);
    await same(['history', 'busybox'], true);
    await same(['history', '--no-trunc', '-H=false', 'busybox']);
  });

  test('system df', async () => {
    await same(['system', 'df']);
    await same(['system', 'df', '-v'], true);
  });

  test('tag and rmi', async () => {
    assert.equal((await berth('tag', 'busybox', 'copy:1')).code, 0);
    const listed = await docker('images', '--format', '{{.Repository}}:{{.Tag}}');
    assert.match(listed.stdout, /^copy:1$/m);
    const removed = await berth('rmi', 'copy:1');
    assert.equal(removed.stdout, 'Untagged: copy:1\n');
    await same(['rmi', 'nope']);
    await same(['tag', 'busybox']);
    await same(['images', '--foo']);
  });

  test('save -o and load -i', async () => {
    const ours = path.join(dir, 'ours.tar');
    const theirs = path.join(dir, 'theirs.tar');
    assert.equal((await berth('save', '-o', ours, 'busybox')).code, 0);
    assert.equal((await docker('save', '-o', theirs, 'busybox')).code, 0);
    assert.deepEqual(await readFile(ours), await readFile(theirs));
    assert.equal((await docker('rmi', 'busybox')).code, 0);
    const loaded = await berth('load', '-i', ours);
    assert.equal(loaded.stdout, 'Loaded image: busybox:latest\n');
    await same(['load', '-i', theirs]);
  });
});

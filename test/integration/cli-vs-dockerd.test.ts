/**
 * berth's CLI against a private dockerd, compared with the real docker CLI:
 * same daemon, same commands, same bytes (ages masked, since they tick).
 * Needs root, /usr/sbin/dockerd and a docker CLI; skips otherwise.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER_CLI, ROOT, ReferenceDockerd, dockerdSkipReason } from './harness.js';
import { bundleCli, MANIFEST_FILE } from '../../scripts/bundle-cli.js';

const BERTH = path.join(ROOT, 'bin/berth');
const BUNDLE = path.join(ROOT, MANIFEST_FILE);

const skipReason = dockerdSkipReason();

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
  let dockerd: ReferenceDockerd | undefined;
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
    if (!existsSync(BUNDLE)) await bundleCli(ROOT);
    dockerd = await ReferenceDockerd.start();
    dir = dockerd.dir;
    host = dockerd.host;
    const tar = path.join(dir, 'bb.tar');
    const made = await run(path.join(ROOT, 'scripts/busybox-rootfs.sh'), [tar]);
    assert.equal(made.code, 0, made.stderr);
    const imported = await docker('import', '-c', 'CMD ["sh"]', tar, 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    await dockerd?.stop();
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

/**
 * berth's container commands against a private dockerd, compared with the
 * real docker CLI on the same daemon: same output (ages and IDs masked where
 * they must differ), same exit codes. `-it` is driven through tmux.
 * Needs root, dockerd and the docker CLI; skips otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER_CLI, ROOT, ReferenceDockerd, busyboxRootfs, dockerdSkipReason, run, type RunResult } from './harness.js';

const TMUX_SOCKET = `berth-it-${process.pid}`;

describe('berth container commands vs docker CLI on a private dockerd', { skip: dockerdSkipReason() }, () => {
  let dockerd: ReferenceDockerd;
  let scratch = '';
  const berth = (...args: string[]): RunResult => run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', dockerd.host, ...args], undefined, { DOCKER_HOST: '', BERTH_HOST: '' });
  const docker = (...args: string[]): RunResult => dockerd.docker(args);
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', TMUX_SOCKET, ...args], { encoding: 'utf8' });

  /** The same command through both CLIs: identical stdout, stderr and exit code. */
  function same(args: string[], mask: (s: string) => string = (s) => s): RunResult {
    const ours = berth(...args);
    const theirs = docker(...args);
    assert.equal(mask(ours.stdout), mask(theirs.stdout), `stdout of ${args.join(' ')}`);
    assert.equal(mask(ours.stderr.replaceAll('berth', 'docker')), mask(theirs.stderr), `stderr of ${args.join(' ')}`);
    assert.equal(ours.code, theirs.code, `exit code of ${args.join(' ')}`);
    return ours;
  }
  const maskIds = (s: string) => s.replace(/[0-9a-f]{64}/g, '<id>').replace(/[0-9a-f]{12}/g, '<id>');
  const maskTimes = (s: string) => s.replace(/(Less than a second|About a minute|\d+ (seconds?|minutes)) ago/g, '<ago>').replace(/Up (Less than a second|\d+ seconds?|About a minute)/g, 'Up <t>').replace(/ {2,}/g, '  ');

  before(async () => {
    dockerd = await ReferenceDockerd.start();
    scratch = await mkdtemp(join(tmpdir(), 'berth-cp-'));
    const imported = docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest');
    assert.equal(imported.code, 0, imported.stderr);
  });

  after(async () => {
    tmux('kill-server');
    if (dockerd) {
      const ids = docker('ps', '-aq').stdout.split('\n').filter(Boolean);
      if (ids.length) docker('rm', '-f', ...ids);
      await dockerd.stop();
    }
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  test('run: output, exit codes, daemon errors', () => {
    same(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hi']);
    same(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'exit 3']);
    same(['run', '--rm', '--network', 'none', 'busybox', 'nosuchcmd']);
    same(['run', '--rm', '--network', 'none', 'busybox', '/etc']);
    same(['run', '--rm', '--network', 'none', '--pull', 'never', 'nosuchimage']);
    same(['run', '--rm', '-m', '1x', 'busybox']);
    same(['run', '--rm', '--cpus', '-1', '--network', 'none', 'busybox']);
    same(['run', '--restart', 'sometimes', '--network', 'none', 'busybox']);
    same(['run', '--rm', '--restart', 'always', 'busybox']);
    same(['run', '--rm', '--pull', 'sometimes', 'busybox']);
    docker('container', 'prune', '-f');
  });

  test('run -d, ps, inspect, exec, logs, top, port, stats', () => {
    const started = berth('run', '-d', '--name', 'web', '--network', 'none', 'busybox', 'sh', '-c', 'echo ready; sleep 300');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^[0-9a-f]{64}\n$/);
    same(['ps'], maskTimes);
    same(['ps', '-a', '--no-trunc'], maskTimes);
    same(['ps', '-q']);
    same(['ps', '--format', '{{.Names}} {{.Command}} {{.State}}']);
    same(['inspect', '-f', '{{.State.Pid}} {{.Name}} {{json .Config.Cmd}}', 'web']);
    same(['inspect', 'web']);
    same(['inspect', 'nosuch']);
    same(['exec', 'web', 'sh', '-c', 'echo $0']);
    same(['exec', 'web', 'sh', '-c', 'exit 4']);
    same(['exec', '-e', 'X=1', '-w', '/tmp', 'web', 'sh', '-c', 'echo $X $PWD']);
    same(['logs', 'web']);
    same(['logs', '-n', '1', 'web']);
    // ps's C column (recent CPU use) can change between the two calls: compare the rest.
    const maskCpu = (s: string) => s.replace(/^(\S+\s+\d+\s+\d+\s+)\d+/gm, '$1<c>');
    same(['top', 'web'], maskCpu);
    same(['port', 'web']);
    const stats = berth('stats', '--no-stream', 'web');
    assert.equal(stats.code, 0, stats.stderr);
    const [header, row] = stats.stdout.split('\n');
    assert.equal(header, docker('stats', '--no-stream', 'web').stdout.split('\n')[0]);
    assert.match(row, /^[0-9a-f]{12} +web +\d+\.\d\d% +\S+ \/ \S+ +\d+\.\d\d% +\S+ \/ \S+ +\S+ \/ \S+ +\d+$/);
  });

  test('update, rename, diff, cp both ways, commit and run the image', async () => {
    assert.equal(same(['update', '--cpus', '1', '-m', '64m', '--memory-swap', '128m', '--restart', 'on-failure:2', 'web']).code, 0);
    same(['update', '-m', '1x', 'web']);
    same(['update', 'web']);
    assert.equal(docker('inspect', '-f', '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}', 'web').stdout, '1000000000 67108864 on-failure\n');
    assert.equal(berth('rename', 'web', 'web2').code, 0);
    same(['rename', 'nosuch', 'x']);
    assert.equal(berth('rename', 'web2', 'web').code, 0);

    await writeFile(join(scratch, 'hello.txt'), 'hello from host\n');
    assert.equal(berth('cp', join(scratch, 'hello.txt'), 'web:/tmp/').code, 0);
    assert.equal(docker('exec', 'web', 'cat', '/tmp/hello.txt').stdout, 'hello from host\n');
    assert.equal(berth('cp', 'web:/etc/hostname', join(scratch, 'copied')).code, 0);
    assert.equal(await readFile(join(scratch, 'copied'), 'utf8'), docker('exec', 'web', 'cat', '/etc/hostname').stdout);
    same(['cp', 'web:/nonexist', join(scratch, 'x')]);
    same(['diff', 'web']);

    const committed = berth('commit', '-m', 'with hello', '-c', 'CMD ["cat", "/tmp/hello.txt"]', 'web', 'hello:v1');
    assert.equal(committed.code, 0, committed.stderr);
    assert.match(committed.stdout, /^sha256:[0-9a-f]{64}\n$/);
    same(['run', '--rm', '--network', 'none', 'hello:v1']);
  });

  test('stop, kill, wait, create then start -a, rm -f, prune', () => {
    same(['stop', '-t', '1', 'web', 'nosuch']);
    same(['kill', 'web']);
    same(['wait', 'web']);
    assert.equal(berth('create', '--name', 'c1', '--network', 'none', 'busybox', 'sh', '-c', 'echo started; exit 5').code, 0);
    const ours = berth('start', '-a', 'c1');
    assert.deepEqual([ours.stdout, ours.code], ['started\n', 5]);
    same(['start', 'nosuch']);
    same(['rm', 'nosuch']);
    assert.equal(berth('rm', '-f', 'web', 'c1').stdout, 'web\nc1\n');
    assert.equal(berth('run', '-d', '--name', 'k1', '--network', 'none', 'busybox', 'sleep', '300').code, 0);
    same(['kill', '-s', 'FOO', 'k1']);
    same(['kill', 'nosuch']); // "Cannot kill container: nosuch: No such container: nosuch"
    same(['kill', '-s', 'FOO', 'nosuch']); // the signal is refused first
    assert.equal(berth('kill', 'k1').stdout, 'k1\n');
    const pruned = berth('container', 'prune', '-f');
    assert.match(pruned.stdout, /^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: .*\n$/);
    same(['container', 'prune', '-f']);
  });

  test('-it in a terminal: shell, resize, detach with ctrl-p ctrl-q, attach back, exit code', async () => {
    const berthCmd = `${process.execPath} ${join(ROOT, 'bin', 'berth')} -H ${dockerd.host}`;
    const pane = (session: string) => tmux('capture-pane', '-p', '-t', session).stdout;
    const waitFor = async (session: string, pattern: RegExp, deadlineMs = 30_000) => {
      const deadline = Date.now() + deadlineMs;
      while (!pattern.test(pane(session)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.match(pane(session), pattern);
    };
    tmux('new-session', '-d', '-s', 'run', '-x', '100', '-y', '30', `${berthCmd} run -it --name tty1 --network none busybox sh; echo EXIT=$?; sleep 60`);
    await waitFor('run', /^\/ #/m);
    tmux('send-keys', '-t', 'run', 'echo $((6*7)); stty size', 'Enter');
    await waitFor('run', /^42\n30 100$/m);
    tmux('send-keys', '-t', 'run', 'C-p', 'C-q');
    await waitFor('run', /EXIT=0/);
    assert.match(docker('inspect', '-f', '{{.State.Running}}', 'tty1').stdout, /true/);

    tmux('new-session', '-d', '-s', 'att', '-x', '80', '-y', '20', `${berthCmd} attach tty1; echo EXIT=$?; sleep 60`);
    // Attached once an Enter comes back as the shell's prompt (keys typed before that would be lost).
    const attachDeadline = Date.now() + 30_000;
    for (;;) {
      tmux('send-keys', '-t', 'att', 'Enter');
      try {
        await waitFor('att', /^\/ #/m, 1000);
        break;
      } catch (err) {
        if (Date.now() > attachDeadline) throw err;
      }
    }
    tmux('send-keys', '-t', 'att', 'stty size; exit 7', 'Enter');
    await waitFor('att', /^20 80$/m);
    await waitFor('att', /EXIT=7/);
    berth('rm', '-f', 'tty1');
  });
});

void DOCKER_CLI;

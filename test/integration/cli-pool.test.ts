/**
 * bin/berth run as a command through its launcher (dist/berth-launch) and the
 * warm CLI pool (src/cli-pool) against a private berthd: what works with
 * `node bin/berth` works the same through a pooled worker (exit codes, piped
 * stdin, a terminal, signals, the environment, the cwd and the umask); a
 * command falls back to Node when no pool runs, when the pool is dead, and
 * when the installation was rebuilt under the pool, which then restarts; and
 * no two commands ever share a worker. BERTH_POOL_DEBUG makes the launcher
 * say on stderr which way each command went.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, ROOT, stopCliPools, TestDaemon, waitForValue, type RunResult } from './harness.js';

const LAUNCHER = join(ROOT, 'dist', 'berth-launch');
const POOLED = /berth-launch: pooled worker (\d+)/;

describe('the berth CLI through its launcher and warm pool', { skip: !existsSync(LAUNCHER) && 'dist/berth-launch is not built' }, () => {
  let daemon: TestDaemon;
  let dir: string;
  let runtime: string;

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    const base: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['BERTH_HOST', 'BERTH_CONTEXT', 'DOCKER_CONTEXT', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']) delete base[name];
    return {
      ...base, XDG_RUNTIME_DIR: runtime, XDG_CACHE_HOME: join(dir, 'cache'), BERTH_CONFIG: join(dir, 'config'),
      BERTH_POOL: '1', BERTH_POOL_DEBUG: '1', DOCKER_HOST: daemon.host, ...extra,
    };
  };
  /** bin/berth executed as a command (so its shell line runs the launcher), from `root`. */
  const berthIn = (root: string, args: string[], opts: { input?: string | Buffer; extra?: Record<string, string>; cwd?: string } = {}): RunResult => {
    const r = spawnSync(join(root, 'bin', 'berth'), args, { input: opts.input, env: env(opts.extra), cwd: opts.cwd, encoding: 'buffer', timeout: 120_000 });
    return { code: r.status ?? -1, stdout: r.stdout?.toString() ?? '', stderr: (r.stderr?.toString() ?? '') + (r.error ? `\n${r.error.message}` : '') };
  };
  const berth = (args: string[], opts?: Parameters<typeof berthIn>[2]) => berthIn(ROOT, args, opts);
  /** Commands until one is served by a worker (the first of a new pool falls back while the pool starts). */
  const pooledIn = (root: string) => waitForValue('a pooled command', async () => (POOLED.test(berthIn(root, ['--version']).stderr) ? true : undefined), 60_000);
  const poolPid = (root: string): number => {
    const lock = readdirSync(join(runtime, 'berth')).filter((f) => f.endsWith('.lock')).map((f) => join(runtime, 'berth', f));
    for (const file of lock) {
      const pid = Number(readFileSync(file, 'utf8').trim());
      // An argument of its own: one root may be the start of another's path.
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(root)) return pid;
    }
    throw new Error(`no pool for ${root}`);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-it-launcher-'));
    runtime = join(dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    daemon = await TestDaemon.start();
    const imported = daemon.berth(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    if (runtime) stopCliPools(runtime);
    await daemon?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('with no pool yet the command runs in Node and starts the pool; later ones are pooled', async () => {
    const first = berth(['--version']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /running node directly \(no pool yet: started one\)/);
    assert.match(first.stdout, /^berth version /);
    await pooledIn(ROOT);
    const off = berth(['--version'], { extra: { BERTH_POOL: '0' } });
    assert.match(off.stderr, /running node directly \(BERTH_POOL=0\)/);
  });

  test('exit codes: the container\'s, a usage error\'s, a flag error\'s', async () => {
    await pooledIn(ROOT);
    const three = berth(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.match(three.stderr, POOLED);
    assert.equal(three.code, 3);
    assert.equal(three.stdout, 'out\n');
    assert.match(three.stderr, /^err$/m);
    const unknown = berth(['nosuchcommand']);
    assert.match(unknown.stderr, POOLED);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown command: berth nosuchcommand/);
    const badFlag = berth(['ps', '--no-such-flag']);
    assert.equal(badFlag.code, 125);
    assert.match(badFlag.stderr, /unknown flag: --no-such-flag/);
  });

  test('piped stdin reaches the container whole', async () => {
    await pooledIn(ROOT);
    const input = Buffer.alloc(3 << 20, 'berth\n');
    const r = berth(['run', '--rm', '-i', '--network', 'none', 'busybox', 'sh', '-c', 'wc -c; echo done'], { input });
    assert.match(r.stderr, POOLED);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.replace(/\s+/g, ' ').trim(), `${input.length} done`);
  });

  test('the environment, the cwd, the umask and DOCKER_CONTEXT are the launcher\'s', async () => {
    await pooledIn(ROOT);
    const work = join(dir, 'work');
    mkdirSync(work, { recursive: true });
    writeFileSync(join(work, 'vars.env'), 'FROM_FILE=file-value\n');
    const r = berth(['run', '--rm', '--network', 'none', '--env-file', 'vars.env', '-e', 'FROM_ENV', '-e', 'NODE_EXTRA_CA_CERTS', 'busybox', 'sh', '-c', 'echo $FROM_FILE $FROM_ENV $NODE_EXTRA_CA_CERTS'], {
      cwd: work,
      extra: { FROM_ENV: 'env-value', NODE_EXTRA_CA_CERTS: '/some/ca.pem' },
    });
    assert.match(r.stderr, POOLED);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'file-value env-value /some/ca.pem\n');
    // A relative output path lands in the cwd, with the launcher's umask.
    const saved = spawnSync('/bin/sh', ['-c', `umask 077; exec ${join(ROOT, 'bin', 'berth')} save -o image.tar busybox`], { cwd: work, env: env(), encoding: 'utf8' });
    assert.equal(saved.status, 0, saved.stderr);
    assert.match(saved.stderr, POOLED);
    assert.equal(statSync(join(work, 'image.tar')).mode & 0o777, 0o600);
    // A context chosen by the environment.
    const created = berth(['context', 'create', 'launcher-ctx', '--docker', `host=${daemon.host}`]);
    assert.equal(created.code, 0, created.stderr);
    const viaContext = berth(['images', '--format', '{{.Repository}}'], { extra: { DOCKER_HOST: '', DOCKER_CONTEXT: 'launcher-ctx' } });
    assert.match(viaContext.stderr, POOLED);
    assert.equal(viaContext.stdout, 'busybox\n');
    const missing = berth(['images'], { extra: { DOCKER_HOST: '', DOCKER_CONTEXT: 'no-such-ctx' } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-ctx/);
  });

  test('run -it in a terminal: the container gets a tty, raw mode is undone, the exit code comes back', async () => {
    await pooledIn(ROOT);
    const command = `before=$(stty -g); ${join(ROOT, 'bin', 'berth')} run --rm -it --network none busybox sh -c '[ -t 0 ] && [ -t 1 ] && echo tty-in-and-out; exit 4'; code=$?; [ "$before" = "$(stty -g)" ] && echo restored; echo code=$code`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { env: env(), encoding: 'utf8', timeout: 120_000, input: '' });
    const out = r.stdout.replace(/\r/g, '');
    assert.match(out, POOLED);
    // The terminal may echo a stray ^@ (script's end of input meeting raw mode), with `node bin/berth` too, even before this line.
    assert.match(out, /^(\^@)*tty-in-and-out$/m);
    assert.match(out, /restored$/m);
    assert.match(out, /^code=4$/m);
  });

  test('SIGINT reaches the container (sig-proxy); a command with no handler dies of it, as Node would', async () => {
    await pooledIn(ROOT);
    const name = 'launcher-sigint';
    const child = spawn(join(ROOT, 'bin', 'berth'), ['run', '--rm', '--name', name, '--network', 'none', 'busybox', 'sh', '-c', 'trap "echo got-int; exit 7" INT; echo ready; while :; do sleep 1; done'], { env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, signal) => resolve([code, signal])));
    await waitForValue('the container to run', async () => (stdout.includes('ready') ? true : undefined), 60_000);
    child.kill('SIGINT');
    assert.deepEqual(await exited, [7, null]);
    assert.match(stderr, POOLED);
    assert.match(stdout, /got-int/);

    const events = spawn(join(ROOT, 'bin', 'berth'), ['events'], { env: env() });
    let eventsErr = '';
    events.stderr.on('data', (d: Buffer) => (eventsErr += d));
    const ended = new Promise<[number | null, string | null]>((resolve) => events.on('exit', (code, signal) => resolve([code, signal])));
    await waitForValue('events to be pooled', async () => (POOLED.test(eventsErr) ? true : undefined), 60_000);
    events.kill('SIGINT');
    assert.deepEqual(await ended, [null, 'SIGINT']);
  });

  test('Ctrl-Z (SIGTSTP) stops the worker with the launcher; SIGCONT (fg) resumes both', async () => {
    await pooledIn(ROOT);
    const events = spawn(join(ROOT, 'bin', 'berth'), ['events'], { env: env() });
    let eventsErr = '';
    events.stderr.on('data', (d: Buffer) => (eventsErr += d));
    const ended = new Promise<[number | null, string | null]>((resolve) => events.on('exit', (code, signal) => resolve([code, signal])));
    const worker = await waitForValue('events to be pooled', async () => POOLED.exec(eventsErr)?.[1], 60_000);
    const state = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
    events.kill('SIGTSTP');
    await waitForValue('both to stop', async () => (state(events.pid!) === 'T' && state(worker) === 'T' ? true : undefined));
    events.kill('SIGCONT');
    await waitForValue('both to run again', async () => (state(events.pid!) !== 'T' && state(worker) !== 'T' ? true : undefined));
    events.kill('SIGINT');
    assert.deepEqual(await ended, [null, 'SIGINT']);
  });

  test('no two commands share a worker, even started together', async () => {
    await pooledIn(ROOT);
    const runOne = () =>
      new Promise<string>((resolve) => {
        const child = spawn(join(ROOT, 'bin', 'berth'), ['ps', '-a'], { env: env() });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d));
        child.on('exit', (code) => resolve(`${code} ${stderr}`));
      });
    const results = await Promise.all(Array.from({ length: 6 }, runOne));
    for (const r of results) assert.match(r, /^0 /);
    const workers = results.map((r) => POOLED.exec(r)?.[1]).filter((pid): pid is string => pid !== undefined);
    assert.ok(workers.length > 0, results.join('\n'));
    assert.equal(new Set(workers).size, workers.length, `a worker served two commands: ${workers.join(' ')}`);
  });

  test('ps shows the pool\'s workers as ready while they wait for a command', async () => {
    await pooledIn(ROOT);
    const pool = poolPid(ROOT);
    const ready = await waitForValue('two ready workers', async () => {
      const found = childrenOf(pool).filter(isReadyWorker);
      return found.length >= 2 ? found : undefined;
    }, 60_000);
    const ps = spawnSync('ps', ['-o', 'args=', '-p', ready.join(',')], { encoding: 'utf8' });
    const titles = ps.stdout.trim().split('\n');
    assert.equal(titles.length, ready.length, ps.stdout);
    for (const title of titles) assert.match(title, /^berth-cli-worker ready(, warmed)?$/);
  });

  test('a worker whose warm-up has run still serves the command (the warm-up made no stdio stream)', async () => {
    await pooledIn(ROOT);
    const pool = poolPid(ROOT);
    await waitForValue('every ready worker warmed up', async () => {
      const ready = childrenOf(pool).filter(isReadyWorker);
      return ready.length > 0 && ready.every(isWarmedWorker) ? true : undefined;
    }, 60_000);
    const r = berth(['ps', '-a']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, POOLED, 'the warmed worker left the command to a fresh Node');
    assert.match(r.stdout, /^CONTAINER ID +IMAGE +COMMAND/);
  });

  test('a taken worker is replaced once its command ends while another waits; the pool fills up at once when none does', async () => {
    // A pool of its own, whose replacements wait for the command's end however long it takes.
    const root = makeRootCopy(join(dir, 'replacing'));
    const extra = { BERTH_POOL_REPLACE_MS: '600000' };
    await waitForValue('a pooled command', async () => (POOLED.test(berthIn(root, ['--version'], { extra }).stderr) ? true : undefined), 60_000);
    const pool = poolPid(root);
    const workers = () => childrenOf(pool);
    await waitForValue('two ready workers', async () => (workers().filter(isReadyWorker).length === 2 ? true : undefined), 60_000);
    const startEvents = async () => {
      const child = spawn(join(root, 'bin', 'berth'), ['events'], { env: env(extra) });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const ended = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      const worker = Number(await waitForValue('events to be pooled', async () => POOLED.exec(stderr)?.[1], 60_000));
      return { child, worker, ended };
    };
    const first = await startEvents();
    // One worker still waits: no replacement while the command runs.
    assert.deepEqual(workers().filter((pid) => pid !== first.worker).length, 1, `pool children: ${workers().join(' ')}`);
    const second = await startEvents();
    // None waited once the second command took the last worker: the pool fills up at once.
    await waitForValue('two ready workers beside two commands', async () => (workers().filter(isReadyWorker).length === 2 ? true : undefined), 60_000);
    assert.equal(workers().length, 4, `pool children: ${workers().join(' ')}`);
    first.child.kill('SIGINT');
    await first.ended;
    await waitForValue('the first command\'s worker to be gone', async () => (workers().includes(first.worker) ? undefined : true), 60_000);
    assert.equal(workers().filter(isReadyWorker).length, 2, 'two ready workers are enough: none is started for the ended command');
    second.child.kill('SIGINT');
    await second.ended;
  });

  test('a dead pool (killed with its workers, its socket left) means Node runs the command and a new pool starts', async () => {
    await pooledIn(ROOT);
    const pid = poolPid(ROOT);
    // Stopped first, so that it starts no worker between the listing of its children and its death.
    process.kill(pid, 'SIGSTOP');
    // The signal is delivered asynchronously: listed before the pool has stopped, a child it forks next would be missed.
    await waitForValue('the pool to be stopped', async () => (/^\d+ \(.*\) T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')) ? true : undefined));
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    process.kill(pid, 'SIGKILL');
    // A worker may already be gone by now: it exits by itself when it notices its pool died.
    for (const child of children) killIfAlive(child);
    await waitForValue('the pool and its workers to be gone', async () => ([pid, ...children].some(holdsFiles) ? undefined : true));
    const r = berth(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /running node directly \(no pool yet: started one\)/);
    await pooledIn(ROOT);
    assert.notEqual(poolPid(ROOT), pid);
  });

  test('after a rebuild the pool\'s workers leave the command to Node and the pool restarts on the new bundle', async () => {
    const root = makeRootCopy(join(dir, 'install'));
    await pooledIn(root);
    const before = poolPid(root);
    // What `make build` does to the bundle: a new file, a new sha256 in its manifest.
    const bundle = join(root, 'dist', 'bundle', 'berth.cjs');
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\n// rebuilt\n`);
    const sha256 = createHash('sha256').update(readFileSync(bundle)).digest('hex');
    writeFileSync(join(root, 'dist', 'bundle', 'berth.json'), `${JSON.stringify({ file: 'berth.cjs', sha256 })}\n`);
    // Workers from before the rebuild refuse commands (Node runs them); the pool hands over to a new one.
    await waitForValue('a new pool', async () => {
      const r = berthIn(root, ['images', '--format', '{{.Repository}}']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'busybox\n');
      try {
        return poolPid(root) !== before ? true : undefined;
      } catch {
        return undefined; // Between the two pools.
      }
    }, 60_000);
    await pooledIn(root);
    assert.notEqual(poolPid(root), before);
  });

  test('a command from another network namespace is left to Node (a worker would connect from the pool\'s)', async () => {
    await pooledIn(ROOT);
    const r = spawnSync('unshare', ['--net', join(ROOT, 'bin', 'berth'), '--version'], { env: env(), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^berth version /);
    assert.match(r.stderr, /running node directly \(the worker cannot run it here\)/);
  });

  test('berth registry and berth dashboard never go through the launcher', () => {
    for (const command of ['registry', 'dashboard']) {
      const r = berth([command, '--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /berth-launch/);
    }
  });
});

/** An installation of its own (bin/ and the bundle copied, the rest linked), so a test can rebuild it. */
function makeRootCopy(root: string): string {
  mkdirSync(join(root, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'bundle'), join(root, 'dist', 'bundle'), { recursive: true });
  for (const path of ['dist/src', 'dist/berth-launch', 'native', 'node_modules', 'package.json']) symlinkSync(join(ROOT, path), join(root, path));
  return root;
}

/** A worker shows this title while it waits for a command (worker.ts). */
/**
 * Whether a process may still hold its files (the pool's listening socket): a
 * killed process's first thread shows as a zombie while its other threads are
 * still exiting, and the files go with the last of them.
 */
function holdsFiles(pid: number): boolean {
  try {
    if (!readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z')) return true;
    return readdirSync(`/proc/${pid}/task`).length > 1;
  } catch {
    return false; // gone
  }
}

function isWarmedWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('berth-cli-worker ready, warmed');
  } catch {
    return false;
  }
}

function isReadyWorker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('berth-cli-worker ready');
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (this file runs from dist/test/integration/). */
export const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
export const DOCKER_CLI = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));
/** How long a test daemon (berthd, dockerd, a registry) may take to answer first: Node or dockerd alone can take many seconds to start on a loaded 2-core machine. */
export const START_TIMEOUT_MS = 60_000;
/** How long a stopping berthd may take: live restore leaves its containers running, so this is generous. */
const STOP_TIMEOUT_MS = 60_000;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A private berthd for one test file: its own data root, exec root, socket and
 * pidfile under one temp dir, so tests never touch the host's berthd. stop()
 * kills it and removes everything, unmounting what it left mounted.
 */
export class TestDaemon {
  readonly dir: string;
  readonly socket: string;
  readonly host: string;
  private child?: ChildProcess;

  /** Its own default bridge and subnet, so test daemons never share networking with each other or a real berthd. */
  readonly bridge: string;
  readonly bip: string;

  /** Every default bridge a launch named (a test may pass its own --bridge): stop removes each one's chains. */
  private readonly bridgesUsed = new Set<string>();

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = join(dir, 'berth.sock');
    this.host = `unix://${this.socket}`;
    const n = nextDaemonNumber();
    this.bridge = `brt${process.pid.toString(36).slice(-4)}${n}`;
    this.bip = freeTestSubnet((process.pid * 7 + n * 13) % 250 + 1);
  }

  static async start(extraArgs: string[] = [], daemonJson: Record<string, unknown> = {}): Promise<TestDaemon> {
    const daemon = new TestDaemon(await mkdtemp(join(tmpdir(), 'berth-it-')));
    await writeFile(join(daemon.dir, 'daemon.json'), JSON.stringify(daemonJson));
    try {
      await daemon.launch(extraArgs);
    } catch (err) {
      await daemon.stop(); // a berthd that failed to start may have made its bridge already
      throw err;
    }
    return daemon;
  }

  get dataRoot(): string {
    return join(this.dir, 'data');
  }

  async launch(extraArgs: string[] = []): Promise<void> {
    this.bridgesUsed.add(lastBridgeFlag(extraArgs) ?? this.bridge);
    const args = [
      join(ROOT, 'bin', 'berthd'), '--data-root', this.dataRoot, '--exec-root', join(this.dir, 'exec'),
      '--pidfile', join(this.dir, 'berthd.pid'), '-H', this.host, '--config-file', join(this.dir, 'daemon.json'),
      '--bridge', this.bridge, '--bip', this.bip, ...extraArgs,
      // BERTH_TEST_DEBUG=1 keeps every request in the test daemon's log, for debugging a test.
      ...(process.env.BERTH_TEST_DEBUG && !extraArgs.includes('--debug') ? ['--debug'] : []),
    ];
    // Output goes to a file, not a pipe: tests block in spawnSync, and a full pipe would stall berthd.
    const logFd = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, args, { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    this.child = child;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`berthd exited with ${child.exitCode}:\n${this.log()}`);
      if (await this.pings()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`berthd did not answer within ${START_TIMEOUT_MS / 1000} s:\n${this.log()}`);
  }

  get logFile(): string {
    return join(this.dir, 'berthd.log');
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  /** berth CLI against this daemon. */
  berth(args: string[], input?: string | Buffer): RunResult {
    return run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', this.host, ...args], input);
  }

  /** The real docker CLI against this daemon. */
  docker(args: string[], input?: string | Buffer): RunResult {
    if (!DOCKER_CLI) throw new Error('docker CLI not installed');
    return run(DOCKER_CLI, ['-H', this.host, ...args], input, { DOCKER_CONFIG: join(this.dir, 'docker-config') });
  }

  /** docker build with the classic builder (DOCKER_BUILDKIT=0), as the builder tests drive it. */
  dockerBuild(args: string[], input?: string | Buffer, timeoutMs = 120_000): RunResult {
    if (!DOCKER_CLI) throw new Error('docker CLI not installed');
    const env = { DOCKER_CONFIG: join(this.dir, 'docker-config'), DOCKER_BUILDKIT: '0' };
    return run(DOCKER_CLI, ['-H', this.host, 'build', ...args], input, env, timeoutMs);
  }

  /** A raw API call, for what the CLIs do not expose. */
  api(method: string, path: string, body?: string | Buffer): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
    return new Promise((resolvePromise, reject) => {
      const req = request({ socketPath: this.socket, method, path, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A raw API call with a body of any type (a build context tar). */
  apiRaw(method: string, path: string, body: Buffer, contentType: string): Promise<{ status: number; body: string }> {
    return new Promise((resolvePromise, reject) => {
      const req = request({ socketPath: this.socket, method, path, headers: { 'Content-Type': contentType } }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Signals berthd and waits for it to exit. One that has not exited within
   * STOP_TIMEOUT_MS is SIGKILLed and the call fails: a hung shutdown is a bug
   * to report, and must not hang the whole test run.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), STOP_TIMEOUT_MS)));
    const code = await Promise.race([exited, late]).finally(() => clearTimeout(timer));
    if (code !== 'late') return code;
    child.kill('SIGKILL');
    await exited;
    throw new Error(`berthd did not exit within ${STOP_TIMEOUT_MS / 1000} s of ${signal} (killed):\n${this.log().slice(-3000)}`);
  }

  /**
   * Stops the daemon and everything it made: containers outlive berthd by
   * design (live restore), so they are removed through the API first, and any
   * conmon or runc state left over is cleaned by hand.
   */
  async stop(): Promise<void> {
    await this.removeAllContainers().catch(() => undefined);
    await this.removeUserNetworks().catch(() => undefined);
    // A berthd that would not stop still has everything below cleaned up; the failure is reported after.
    const failure = await this.kill('SIGTERM').then(() => undefined, (err: Error) => err);
    for (const bridge of this.bridgesUsed) removeNetworking(bridge);
    killProcessesMentioning(this.dir);
    const runcRoot = join(this.dir, 'exec', 'runtime', 'runc');
    for (const line of run('runc', ['--root', runcRoot, 'list', '-q']).stdout.split('\n').filter(Boolean)) {
      run('runc', ['--root', runcRoot, 'delete', '-f', line]);
    }
    unmountUnder(this.dir);
    await rm(this.dir, { recursive: true, force: true });
    if (failure) throw failure;
  }

  async removeUserNetworks(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const list = JSON.parse((await this.api('GET', '/networks')).body) as { Id: string; Name: string }[];
    for (const n of list) if (!['bridge', 'host', 'none'].includes(n.Name)) await this.api('DELETE', `/networks/${n.Id}`);
  }

  async removeAllContainers(): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    const list = JSON.parse((await this.api('GET', '/containers/json?all=1')).body) as { Id: string }[];
    for (const c of list) await this.api('DELETE', `/containers/${c.Id}?force=1`);
  }

  private async pings(): Promise<boolean> {
    try {
      return (await this.api('GET', '/_ping')).status === 200;
    } catch {
      return false;
    }
  }
}

export function run(cmd: string, args: string[], input?: string | Buffer, env: Record<string, string> = {}, timeoutMs = 120_000): RunResult {
  const result = spawnSync(cmd, args, { input: typeof input === 'string' ? Buffer.from(input) : input, encoding: 'buffer', env: { ...process.env, ...env }, maxBuffer: 512 << 20, timeout: timeoutMs });
  // A timeout or a failed spawn leaves no status: say why in stderr, or the failure reads as empty.
  const why = result.error ? `\n${cmd}: ${result.error.message}` : '';
  return { code: result.status ?? -1, stdout: result.stdout?.toString() ?? '', stderr: (result.stderr?.toString() ?? '') + why };
}

/**
 * A 172.31.x.1/24 no interface of this host routes yet, starting at `first`:
 * a bridge left by a test run that was killed must not share the subnet of a
 * new test daemon, or the new one's NAT and DNS break.
 */
function freeTestSubnet(first: number): string {
  const routes = spawnSync('ip', ['-4', 'route', 'show'], { encoding: 'utf8' }).stdout;
  for (let i = 0; i < 250; i++) {
    const x = ((first - 1 + i) % 250) + 1;
    if (!routes.includes(`172.31.${x}.0/24`)) return `172.31.${x}.1/24`;
  }
  throw new Error('no free 172.31.x.0/24 subnet for a test daemon');
}

/** The default bridge extra berthd arguments name, when they name one (the last wins, as for berthd). */
function lastBridgeFlag(args: string[]): string | undefined {
  let bridge: string | undefined;
  args.forEach((arg, i) => {
    if ((arg === '--bridge' || arg === '-b') && i + 1 < args.length) bridge = args[i + 1];
    else if (arg.startsWith('--bridge=')) bridge = arg.slice('--bridge='.length);
  });
  return bridge;
}

let daemonCount = 0;
function nextDaemonNumber(): number {
  return daemonCount++;
}

/**
 * Removes a test daemon's default bridge and its iptables and ip6tables chains (named after
 * the bridge, see chainPrefixFor in src/daemon/daemon.ts): the jumps into them
 * from the built-in chains first, then the chains.
 */
export function removeNetworking(bridge: string): void {
  // "none" names no bridge, only the chains' prefix (B-NONE).
  if (bridge !== 'none') spawnSync('ip', ['link', 'del', bridge]);
  const prefix = `B-${bridge.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 12)}`;
  for (const [tool, table] of ['iptables', 'ip6tables'].flatMap((t) => ['filter', 'nat'].map((table) => [t, table] as const))) {
    const rules = spawnSync(tool, ['-t', table, '-S'], { encoding: 'utf8' }).stdout.split('\n');
    for (const rule of rules.filter((r) => r.startsWith('-A ') && r.includes(prefix))) {
      const [, chain] = rule.split(' ');
      if (chain!.startsWith(prefix)) continue;
      spawnSync(tool, ['-t', table, ...rule.replace(/^-A /, '-D ').split(' ')]);
    }
    const chains = rules.filter((r) => r.startsWith(`-N ${prefix}`)).map((r) => r.slice(3));
    for (const chain of chains) spawnSync(tool, ['-t', table, '-F', chain]);
    for (const chain of chains) spawnSync(tool, ['-t', table, '-X', chain]);
  }
}

/** SIGKILLs processes whose command line names a directory (conmons of a test's containers). */
export function killProcessesMentioning(dir: string): void {
  const out = spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' }).stdout;
  for (const pid of out.split('\n').filter(Boolean).map(Number)) {
    if (pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

/** Unmounts, deepest first, everything mounted below a directory. */
export function unmountUnder(dir: string): void {
  const mounts = spawnSync('awk', ['{print $5}', '/proc/self/mountinfo'], { encoding: 'utf8' }).stdout
    .split('\n')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) spawnSync('umount', ['-l', mount]);
}

/**
 * The busybox rootfs tarball: the one `make test` made for the whole run
 * (BERTH_TEST_BUSYBOX_TAR), or one made once per test process.
 */
let busyboxTar: Promise<string> | undefined;
export function busyboxRootfs(): Promise<string> {
  const shared = process.env.BERTH_TEST_BUSYBOX_TAR;
  if (shared && existsSync(shared)) return Promise.resolve(shared);
  busyboxTar ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-bb-'));
    process.once('exit', () => spawnSync('rm', ['-rf', dir])); // also when the script fails
    const out = join(dir, 'busybox.tar');
    const r = run(join(ROOT, 'scripts', 'busybox-rootfs.sh'), [out], undefined, {}, 600_000); // ~400 links: slow under heavy load
    if (r.code !== 0) throw new Error(`busybox-rootfs.sh failed: ${r.stderr}`);
    return out;
  })();
  return busyboxTar;
}

/** The cached Debian bookworm minbase rootfs tar (made by debootstrap on first use; see scripts/debian-rootfs.sh). */
let debianTar: Promise<string> | undefined;
export function debianRootfs(): Promise<string> {
  debianTar ??= (async () => {
    const r = run(join(ROOT, 'scripts', 'debian-rootfs.sh'), [], undefined, {}, 600_000);
    if (r.code !== 0) throw new Error(`debian-rootfs.sh failed: ${r.stderr}`);
    return r.stdout.trim();
  })();
  return debianTar;
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

export const DOCKERD = '/usr/sbin/dockerd';

/** Why tests that need Debian's dockerd cannot run here, or undefined when they can. */
export function dockerdSkipReason(): string | undefined {
  if (!existsSync(DOCKERD)) return 'dockerd (Debian docker.io) not installed';
  if (!DOCKER_CLI) return 'docker CLI not installed';
  if (process.getuid?.() !== 0) return 'dockerd needs root';
  return undefined;
}

/**
 * A private dockerd, the reference implementation, on its own socket, data
 * root and exec root, with no bridge and no iptables changes, so it touches
 * nothing on the host. stop() kills it and removes everything it made.
 */
export class ReferenceDockerd {
  readonly host: string;
  private child?: ChildProcess;

  private constructor(readonly dir: string) {
    this.host = `unix://${dir}/docker.sock`;
  }

  /** `extraArgs` are added to dockerd's flags (another -H with TLS, say); the tests' own docker CLI keeps to the socket. */
  static async start(extraArgs: string[] = []): Promise<ReferenceDockerd> {
    const daemon = new ReferenceDockerd(await mkdtemp(join(tmpdir(), 'berth-dref-')));
    const d = daemon.dir;
    daemon.child = spawn(
      DOCKERD,
      ['--data-root', `${d}/data`, '--exec-root', `${d}/exec`, '--pidfile', `${d}/docker.pid`, '-H', daemon.host,
        '--bridge', 'none', '--iptables=false', '--ip-masq=false', ...extraArgs],
      { stdio: 'ignore' },
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (daemon.docker(['version']).code === 0) return daemon;
      if (daemon.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await daemon.stop();
    throw new Error('private dockerd did not start');
  }

  docker(args: string[], input?: string | Buffer): RunResult {
    return run(DOCKER_CLI!, ['-H', this.host, ...args], input, { DOCKER_CONFIG: join(this.dir, 'docker-config') });
  }

  async stop(): Promise<void> {
    const child = this.child;
    // dockerd leaves its user networks' bridges behind when it stops: note them to delete after.
    const bridges = child && child.exitCode === null ? this.bridgeNames() : [];
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    unmountUnder(this.dir);
    for (const bridge of bridges) spawnSync('ip', ['link', 'del', bridge]);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The Linux bridges of this dockerd's user-defined bridge networks (br-<id12> unless named by option). */
  private bridgeNames(): string[] {
    const ids = this.docker(['network', 'ls', '-q', '--no-trunc', '--filter', 'driver=bridge']).stdout.split('\n').filter(Boolean);
    if (ids.length === 0) return [];
    const lines = this.docker(['network', 'inspect', '-f', '{{.Id}} {{with index .Options "com.docker.network.bridge.name"}}{{.}}{{end}}', ...ids]).stdout.split('\n');
    return lines.filter(Boolean).map((line) => {
      const [id, named] = line.trim().split(' ');
      return named || `br-${id!.slice(0, 12)}`;
    });
  }
}

/** Polls `probe` until it gives a value (not undefined), or fails naming `what` after `timeoutMs`. */
/** How many conmon processes work for the daemon whose directory is `dir` (one per running container or exec). */
export function conmonCount(dir: string): number {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8');
      return cmd.includes('conmon') && cmd.includes(dir);
    } catch {
      return false; // gone meanwhile
    }
  }).length;
}

/**
 * Stops every berth CLI pool (src/cli-pool) under a test's XDG_RUNTIME_DIR:
 * a test that runs bin/berth as a command starts one there, and each stops
 * its idle workers and removes its socket on SIGTERM. A pool still starting
 * (no lock yet) is killed by its socket path; its workers, if any, leave when
 * their pool is gone.
 */
export function stopCliPools(runtimeDir: string): void {
  const dir = join(runtimeDir, 'berth');
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.lock'))) {
    try {
      process.kill(Number(readFileSync(join(dir, file), 'utf8').trim()), 'SIGTERM');
    } catch {
      // Gone already.
    }
  }
  killProcessesMentioning(dir);
}

export async function waitForValue<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Removes every container and every unused network a daemon has (a side-by-side test's after()). */
export function clearContainersAndNetworks(docker: (args: string[]) => RunResult): void {
  const ids = docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
  if (ids.length) docker(['rm', '-f', ...ids]);
  docker(['network', 'prune', '-f']);
}

/** Runs `check` on each daemon of a side-by-side test (berthd, then dockerd), naming the daemon in a failure. */
export async function onEachTarget<T extends { name: string }>(targets: T[], check: (target: T) => Promise<void>): Promise<void> {
  for (const target of targets) {
    try {
      await check(target);
    } catch (err) {
      if (err instanceof Error) err.message = `[${target.name}] ${err.message}`;
      throw err;
    }
  }
}

/**
 * A warm worker of the berth CLI's pool (pool.ts): Node started and the CLI
 * bundle loaded ahead of time, so a command starts where `node bin/berth`
 * would start running it. It takes exactly one command from the launcher
 * (native/berth-launch.c): it accepts one connection on the pool's socket and
 * closes its copy of it at once, puts the launcher's fds on 0, 1 and 2 before
 * any stdio stream exists (Node makes process.stdin/stdout/stderr on first
 * use), takes its environment, cwd and umask, runs the command as bin/berth
 * would, reports the exit code and exits. Signals come as messages and are
 * raised here, so the CLI's own handlers run; one it has no handler for ends
 * the launcher the same way.
 *
 *   usage: node dist/src/cli-pool/worker.js ROOT LISTEN_FD   (started by pool.ts)
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { dup2, peerCred, preloadNativeAddon, recvFds } from '../platform/linux/sys.js';
import { HEADER_SIZE, MESSAGE_SIZE, message, parseHeader, parseRequest, type Request } from './protocol.js';
import { installStamp, placeOfThisProcess, startupEnvDifference } from './stamp.js';

/** Process titles (within the length of the command line, which a title overwrites): what ps shows of a worker. */
const READY_TITLE = 'berth-cli-worker ready';
/** Ready, and its warm-up has run. */
const WARMED_TITLE = 'berth-cli-worker ready, warmed';
const BUSY_TITLE = 'berth-cli-worker busy';

/**
 * How long a ready worker waits before it runs the CLI's warm-up: commands a
 * script runs one after the other come sooner than this and find workers
 * ready without it, rather than starting while others warm up.
 */
const WARM_UP_AFTER_MS = 300;

/** The launcher sends its command as soon as it sees 'R': seconds of silence mean it is gone. */
const REQUEST_TIMEOUT_MS = 5000;

const [root, listenFdArg] = process.argv.slice(2);
const startedEnv = { ...process.env };
const stamp = installStamp(root);
const place = placeOfThisProcess();
const stdio = guardStdio();
const devNull = openSync('/dev/null', 'r+');

// What bin/berth runs, loaded now; the built-ins every daemon command needs; our own syscalls.
const cli = createRequire(import.meta.url)(join(root, 'bin', 'cli-bundle.cjs')).loadBundle() as {
  run(): void;
  preload(): Promise<void>;
  warmUp(stop: () => boolean): Promise<void>;
};
createRequire(import.meta.url)('node:http');
preloadNativeAddon();
await cli.preload();

let taken = false;
let warmUpTimer: NodeJS.Timeout | undefined;
const server = createServer({ pauseOnConnect: true });
server.once('connection', (socket) => {
  taken = true;
  clearTimeout(warmUpTimer);
  // Closed in the connection's own callback: libuv accepts no second connection for this worker.
  server.close();
  process.removeListener('disconnect', exitNow);
  process.send?.({ type: 'taken' });
  process.title = BUSY_TITLE;
  take(socket);
});
server.on('error', (err) => fail(`cannot listen: ${err.message}`));
server.listen({ fd: Number(listenFdArg) }, () => {
  process.title = READY_TITLE;
  process.send?.({ type: 'ready' });
  // Not while commands come in quick succession: then it would only take CPU from them (see warmUp).
  warmUpTimer = setTimeout(() => {
    void cli.warmUp(() => taken).catch(() => undefined).then(() => {
      if (!taken) process.title = WARMED_TITLE;
    });
  }, WARM_UP_AFTER_MS);
});
// The pool is gone before this worker got a command: nothing will (also when it went while this one started).
process.on('disconnect', exitNow);
if (!process.connected) exitNow();

function exitNow(): void {
  process.exit(0);
}

function log(text: string): void {
  try {
    writeSync(2, `berth pool worker ${process.pid}: ${text}\n`);
  } catch {
    // No log to write to.
  }
}

function fail(text: string): never {
  log(text);
  process.exit(1);
}

function take(socket: Socket): void {
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  let fds: number[] = [];
  try {
    if (peerCred(fd).uid !== process.getuid!()) fail('a connection from another user: refused');
    writeSync(fd, 'R');
    const head = recvFds(fd, HEADER_SIZE, REQUEST_TIMEOUT_MS);
    fds = head.fds;
    const header = parseHeader(head.data);
    if (!header || fds.length !== 3) return refuse(fd, fds, 'not a launcher request of this version');
    const request = parseRequest(recvFds(fd, header.payloadLength, REQUEST_TIMEOUT_MS).data);
    if (!request) return refuse(fd, fds, 'a malformed request');
    const why = cannotRun(request);
    if (why) return refuse(fd, fds, why);
    run(socket, fd, fds, request, header.umask);
  } catch (err) {
    for (const passed of fds) closeSync(passed);
    fail(`the launcher went away: ${(err as Error).message}`);
  }
}

/** Why this worker is not the Node that `node bin/berth` would start for this request, if it is not. */
function cannotRun(request: Request): string | undefined {
  if (installStamp(root) !== stamp) {
    // The pool restarts on the next version; this command runs in a fresh Node.
    process.send?.({ type: 'stale' });
    return 'the installation changed';
  }
  if (request.place !== place) return 'other namespaces or root directory';
  const variable = startupEnvDifference(startedEnv, request.env);
  if (variable) return `${variable} differs from the pool's`;
  const sorted = (list: number[]) => [...new Set(list)].sort((a, b) => a - b).join(',');
  // Node's getgroups always includes the effective gid; getgroups(2) may not.
  if (request.gid !== process.getgid!() || sorted([request.gid, ...request.groups]) !== sorted(process.getgroups!())) return 'other groups';
  if (stdio.touched.size > 0) return `process.${[...stdio.touched].join(', ')} was made before the command`;
  try {
    process.chdir(request.cwd);
  } catch {
    return 'cannot enter the working directory';
  }
  return undefined;
}

function refuse(fd: number, fds: number[], why: string): void {
  for (const passed of fds) closeSync(passed);
  writeSync(fd, message('F', 0));
  log(`left the command to a fresh Node: ${why}`);
  process.exit(0);
}

function run(socket: Socket, fd: number, fds: number[], request: Request, umask: number): void {
  for (let i = 0; i < 3; i++) {
    dup2(fds[i], i);
    closeSync(fds[i]);
  }
  stdio.restore();
  process.umask(umask);
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, request.env);
  process.argv = [process.execPath, join(root, 'bin', 'berth'), ...request.args];
  if (request.env.BERTH_POOL_DEBUG && request.env.BERTH_POOL_DEBUG !== '0') debugCpu = process.cpuUsage();
  writeSync(fd, message('G', process.pid));
  reportExitTo(fd);
  relaySignals(socket);
  process.channel?.unref();
  cli.run();
}

let reported = false;
/** With BERTH_POOL_DEBUG, the CPU the command used here (what a fresh Node would add its start to), said at the end. */
let debugCpu: NodeJS.CpuUsage | undefined;

/** Tells the launcher once; the stdio copies go first, so a reader of the output sees its end now, not at this process's end. */
function report(fd: number, type: 'X' | 'K', value: number): void {
  if (reported) return;
  reported = true;
  if (debugCpu) {
    const { user, system } = process.cpuUsage(debugCpu);
    writeSync(2, `berth pool worker ${process.pid}: the command took ${Math.round((user + system) / 1000)} ms of CPU\n`);
  }
  for (let i = 0; i < 3; i++) dup2(devNull, i);
  try {
    writeSync(fd, message(type, value));
  } catch {
    // The launcher is gone.
  }
}

/** process.exit ends in process.reallyExit (after every 'exit' listener); a drained event loop ends after the 'exit' event. */
function reportExitTo(fd: number): void {
  let exiting = false;
  const exit = process.exit.bind(process);
  // Arguments passed on as they came: process.exit(undefined) would reset process.exitCode.
  process.exit = ((...args: Parameters<typeof process.exit>) => {
    exiting = true;
    return exit(...args);
  }) as typeof process.exit;
  const proc = process as unknown as { reallyExit(code: number): never };
  const reallyExit = proc.reallyExit.bind(process);
  proc.reallyExit = (code: number) => {
    report(fd, 'X', code);
    return reallyExit(code);
  };
  process.on('exit', (code) => {
    if (!exiting) report(fd, 'X', code);
  });
}

/** Signal messages from the launcher; its end (it was killed) ends the command as its death would have. */
function relaySignals(socket: Socket): void {
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= MESSAGE_SIZE) {
      if (pending.toString('latin1', 0, 1) === 'S') raise(fd, pending.readInt32LE(1));
      pending = pending.subarray(MESSAGE_SIZE);
    }
  });
  const gone = () => {
    if (!reported) process.kill(process.pid, 'SIGKILL');
  };
  socket.on('end', gone);
  socket.on('error', gone);
  socket.unref();
  socket.resume();
}

function raise(fd: number, signo: number): void {
  const name = (Object.keys(constants.signals) as NodeJS.Signals[]).find((s) => constants.signals[s] === signo);
  if (!name) return;
  if (process.listenerCount(name) > 0) {
    process.kill(process.pid, name);
  } else if (name !== 'SIGWINCH') {
    // Node's default for the signal is to die of it: the launcher does, with the terminal restored.
    report(fd, 'K', signo);
    process.exit(128 + signo);
  }
}

/**
 * Watches process.stdin/stdout/stderr until the command: a stream made before
 * the fds are in place (a warning printed while loading) would write to the
 * pool's log, so such a worker leaves the command to a fresh Node.
 */
function guardStdio(): { touched: Set<string>; restore(): void } {
  const touched = new Set<string>();
  const originals = new Map<string, PropertyDescriptor>();
  for (const name of ['stdin', 'stdout', 'stderr']) {
    const original = Object.getOwnPropertyDescriptor(process, name);
    if (!original?.get || !original.configurable) {
      touched.add(name);
      continue;
    }
    originals.set(name, original);
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: original.enumerable,
      get() {
        touched.add(name);
        return original.get!.call(process);
      },
    });
  }
  return {
    touched,
    restore: () => originals.forEach((original, name) => Object.defineProperty(process, name, original)),
  };
}

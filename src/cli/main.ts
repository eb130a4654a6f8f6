/**
 * berth CLI entry point: global flags, command dispatch (lazy per command),
 * and the mapping of errors to docker's messages and exit codes
 * (125 for flag errors, 1 for usage and daemon errors).
 */
import { checkArgs, StatusError, type CommandContext, type CommandSpec } from './command.js';
import { FlagError, parseFlags, type FlagSpec } from './flags.js';
import { commandHelp, groupHelp, rootHelp, usageLine } from './help.js';
import { GROUPS, resolveCommand } from './registry.js';
import { BERTH_VERSION, PROGRAM } from './version-info.js';
import { resolveConnection, type Connection } from './connection.js';
import { configDir, ContextError, ContextStore } from './context/store.js';
import type { BerthClient } from '../client/index.js';
import { takeDeferredExtraCaCerts } from '../lib/extra-ca-certs.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];

const GLOBAL_FLAGS: FlagSpec[] = [
  { long: 'config', type: 'string', usage: 'Location of client config files (default "~/.berth")' },
  { long: 'context', short: 'c', type: 'string', usage: 'Name of the context to use to connect to the daemon (overrides BERTH_HOST/DOCKER_HOST env var and default context set with "berth context use")' },
  { long: 'host', short: 'H', type: 'stringArray', usage: 'Daemon socket to connect to', valueName: 'list' },
  { long: 'debug', short: 'D', type: 'bool', usage: 'Enable debug mode' },
  { long: 'version', short: 'v', type: 'bool', usage: 'Print version information and quit' },
  { long: 'help', short: 'h', type: 'bool', usage: 'Print usage' },
  {
    long: 'log-level',
    short: 'l',
    type: 'string',
    default: 'info',
    usage: 'Set the logging level',
    validate: (v) => {
      if (!LOG_LEVELS.includes(v)) throw new Error(`not a valid logrus Level: "${v}"`);
    },
  },
];

const TLS_FLAGS: FlagSpec[] = [
  { long: 'tls', type: 'bool', usage: 'Use TLS; implied by --tlsverify' },
  { long: 'tlscacert', type: 'string', usage: 'Trust certs signed only by this CA (default "$DOCKER_CERT_PATH/ca.pem")' },
  { long: 'tlscert', type: 'string', usage: 'Path to TLS certificate file (default "$DOCKER_CERT_PATH/cert.pem")' },
  { long: 'tlskey', type: 'string', usage: 'Path to TLS key file (default "$DOCKER_CERT_PATH/key.pem")' },
  { long: 'tlsverify', type: 'bool', usage: 'Use TLS and verify the remote' },
];
GLOBAL_FLAGS.push(...TLS_FLAGS);

const HELP_FLAG: FlagSpec = { long: 'help', type: 'bool', usage: 'Print usage' };

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let globals;
  try {
    globals = parseFlags(argv, GLOBAL_FLAGS, false);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(`${err.message}\n\nUsage:  ${PROGRAM} [OPTIONS] COMMAND\n\nRun '${PROGRAM} --help' for more information\n`);
    return 125;
  }
  if (globals.flags.version) {
    io.stdout.write(`${PROGRAM} version ${BERTH_VERSION}\n`);
    return 0;
  }
  const hosts = globals.flags.host as string[];
  if (hosts.length > 1) {
    io.stderr.write(`${PROGRAM}: Specify only one -H\n`);
    return 1;
  }
  const store = new ContextStore(configDir(io.env, globals.flags.config as string | undefined));
  let connection: Connection;
  try {
    connection = resolveConnection(globals, io.env, store);
  } catch (err) {
    if (!(err instanceof ContextError)) throw err;
    io.stderr.write(`${err.message}\n`);
    return 1;
  }
  const debug = Boolean(globals.flags.debug) || globals.flags['log-level'] === 'debug';
  const args = globals.args;

  if (args.length === 0 || (args[0] === 'help' && args.length === 1) || globals.flags.help) {
    io.stdout.write(rootHelp());
    return 0;
  }
  const resolved = resolveCommand(args);
  if (!resolved) return unknownCommand(args, io);
  const spec = await resolved.entry.load();
  return runCommand(spec, resolved.path, resolved.rest, { io, connection, contexts: store, debug });
}

function unknownCommand(args: string[], io: Io): number {
  const group = args[0];
  if (group in GROUPS && (args.length === 1 || args[1] === '--help' || args[1] === '-h')) {
    io.stdout.write(groupHelp(group));
    return 0;
  }
  if (group in GROUPS) {
    io.stderr.write(`${PROGRAM}: unknown command: ${PROGRAM} ${group} ${args[1]}\n\n${usageLine(group, '')}\n\nRun '${PROGRAM} ${group} --help' for more information\n`);
    return 1;
  }
  io.stderr.write(`${PROGRAM}: unknown command: ${PROGRAM} ${group}\n\nRun '${PROGRAM} --help' for more information\n`);
  return 1;
}

interface Runtime {
  io: Io;
  connection: Connection;
  contexts: ContextStore;
  debug: boolean;
}

async function runCommand(spec: CommandSpec, path: string, argv: string[], rt: Runtime): Promise<number> {
  const { io } = rt;
  const usageTail = `\n\n${usageLine(path, spec.usage)}\n\nRun '${PROGRAM} ${path} --help' for more information\n`;
  let parsed;
  try {
    parsed = parseFlags(argv, [...spec.flags, HELP_FLAG], spec.interspersed ?? true);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    io.stderr.write(err.message + usageTail);
    return 125;
  }
  if (parsed.flags.help) {
    io.stdout.write(commandHelp(spec, path));
    return 0;
  }
  const argError = checkArgs(spec.args, parsed.args.length);
  if (argError) {
    io.stderr.write(`${PROGRAM}: '${PROGRAM} ${path}' ${argError}${usageTail}`);
    return 1;
  }
  const ctx = makeContext(path, rt);
  try {
    return await spec.run(ctx, parsed);
  } catch (err) {
    return reportError(err, rt);
  } finally {
    ctx.close();
  }
}

function makeContext(path: string, rt: Runtime): CommandContext & { close(): void } {
  let client: Promise<BerthClient> | undefined;
  let loaded: BerthClient | undefined;
  return {
    // Getters: Node makes process.stdin (and stderr) on first access, loading
    // the stream modules for its kind (a file, a pipe, a TTY); most commands never read stdin.
    get stdin() {
      return rt.io.stdin;
    },
    stdout: rt.io.stdout,
    get stderr() {
      return rt.io.stderr;
    },
    host: rt.connection.host,
    connection: rt.connection,
    contexts: rt.contexts,
    env: rt.io.env,
    debug: rt.debug,
    commandPath: path,
    // The client module loads on first use: help and usage errors never pay for it.
    client: () =>
      (client ??= import('../client/index.js').then(({ BerthClient }) => {
        loaded = new BerthClient({ host: rt.connection.host, tls: rt.connection.tls, userAgent: `Berth-Client/${BERTH_VERSION} (${process.platform})` });
        return loaded;
      })),
    close: () => loaded?.close(),
  };
}

function reportError(err: unknown, rt: Runtime): number {
  const { stderr } = rt.io;
  if (rt.debug && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  if (err instanceof StatusError) {
    if (err.message) stderr.write(`${err.message}\n`);
    return err.exitCode;
  }
  const name = err instanceof Error ? err.name : '';
  if (name === 'TemplateError') {
    stderr.write(`template parsing error: ${(err as Error).message}\n`);
    return 1;
  }
  if (name === 'ConnectionError') {
    const code = (err as { code?: string }).code;
    const host = rt.connection.host;
    if (code === 'EACCES') {
      stderr.write(`permission denied while trying to connect to the ${PROGRAM} daemon socket at ${host}\n`);
    } else if (code === 'ECONNREFUSED' || code === 'ENOENT') {
      stderr.write(`Cannot connect to the ${PROGRAM} daemon at ${host}. Is the ${PROGRAM} daemon running?\n`);
    } else {
      // TLS refusals and resets: say what happened (a missing or rejected certificate), as docker's "error during connect".
      stderr.write(`error during connect: ${(err as Error).message}\n`);
    }
    return 1;
  }
  if (name === 'ContextError') {
    stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  if (name === 'ClientError') {
    stderr.write(`Error response from daemon: ${(err as Error).message}\n`);
    return 1;
  }
  stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  return 1;
}

/** The commands most used in a row, whose modules a CLI pool worker loads before its command arrives. */
const PRELOADED = ['run', 'ps', 'images', 'version', 'exec', 'logs', 'inspect', 'rm', 'start', 'stop', 'pull'];

/**
 * Loads, and runs nothing of, the modules a command imports on first use: the
 * API client and the commonest commands. For the CLI pool's workers
 * (src/cli-pool/worker.ts), before they take a command. Their top levels
 * only define things: no environment, cwd or stdio is read before the
 * command runs.
 */
export async function preload(): Promise<void> {
  await import('../client/index.js');
  for (const name of PRELOADED) await resolveCommand([name])?.entry.load();
}

/**
 * Runs code a command would otherwise run cold, on made-up data: renders a ps
 * table and takes a small compose project through the loader (~50–80 ms of
 * CPU). A pool worker calls it once it has been waiting a while, and `stop`,
 * asked before each step, says whether its command has come meanwhile: under
 * commands in quick succession the warm-up would only take CPU from them.
 */
export async function warmUp(stop: () => boolean): Promise<void> {
  if (stop()) return;
  try {
    (await import('./commands/container/ps.js')).warmPs();
  } catch {
    // Only a warm-up (ps.test.ts checks it runs): the worker serves commands without it.
  }
  if (stop()) return;
  await (await import('./commands/compose/index.js')).preloadCompose(stop);
}

/** Runs the CLI in this process (bin/berth calls this; bin/docker-compose passes `compose …`). */
export function run(argv: string[] = process.argv.slice(2)): void {
  // Before anything can start a process: NODE_EXTRA_CA_CERTS as the user set it (bin/berth says why it was moved).
  takeDeferredExtraCaCerts(process.env);
  let stderr: NodeJS.WriteStream | undefined;
  const io: Io = {
    stdout: process.stdout,
    // On first use only (see makeContext).
    get stderr() {
      return (stderr ??= process.stderr);
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
  main(argv, io).then(
    (code) => exitWhenFlushed(code, [process.stdout, stderr]),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      exitWhenFlushed(1, [process.stdout, process.stderr]);
    },
  );
}

/**
 * Exits as soon as the command is done and what it wrote has left the
 * process, as the docker CLI does. Left to itself Node would first tear its
 * heap down piece by piece, tens of milliseconds after the output is out; the
 * command has already closed its connections (ctx.close), so nothing is cut
 * short. A stream with writes still queued (a pipe whose reader is slow) is
 * waited for: a write's callback runs once the writes before it are out.
 */
function exitWhenFlushed(code: number, streams: (NodeJS.WriteStream | undefined)[]): void {
  process.exitCode = code;
  const queued = streams.filter((s): s is NodeJS.WriteStream => s !== undefined && s.writableLength > 0 && !s.writableEnded && !s.destroyed);
  Promise.all(queued.map((s) => new Promise((resolve) => s.write('', resolve)))).then(() => process.exit());
}

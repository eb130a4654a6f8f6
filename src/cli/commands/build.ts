/**
 * `berth build` / `berth image build` / `berth builder build`: docker's
 * legacy builder client (DOCKER_BUILDKIT=0 docker build). The context is
 * prepared here (build-context.ts), streamed to POST /build with
 * `Sending build context to Docker daemon  <size>`, and the daemon's JSON
 * messages are printed as docker prints them; the image ID comes from the
 * `aux` message.
 */
import { existsSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import { pipeline, Transform, Writable, type Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { BuildOptions } from '../../client/build.js';
import { readJsonMessages } from '../../client/jsonstream.js';
import type { JsonMessage } from '../../client/types.js';
import { parseNormalizedNamed } from '../../lib/reference.js';
import { humanSize } from '../../lib/units.js';
import { allCredentials } from '../credentials.js';
import { StatusError, write, type CommandContext, type CommandSpec } from '../command.js';
import type { FlagSpec, FlagValues } from '../flags.js';
import { collectUlimits, parseUlimit } from '../opts/container.js';
import { expandEnv, goPathError, kvToMap } from '../opts/files.js';
import { memSwapBytes, ramInBytes } from '../opts/values.js';
import { ContextError, isGitUrl, isUrl, prepareBuildContext, type PreparedContext } from './build-context.js';
import { displayJsonMessages } from './common.js';

/** docker's progress.Reader updates a terminal every 512kB read. */
const PROGRESS_EVERY = 512 * 1024;

const bytes = (long: string, usage: string, short?: string, parse = ramInBytes): FlagSpec => ({ long, short, type: 'string', usage, valueName: 'bytes', validate: (v) => void parse(v) });
const str = (long: string, usage: string): FlagSpec => ({ long, type: 'string', usage, valueName: 'string' });
const bool = (long: string, usage: string, short?: string, defaultValue?: boolean): FlagSpec => ({ long, short, type: 'bool', usage, default: defaultValue });
const int = (long: string, usage: string, short?: string): FlagSpec => ({ long, short, type: 'int', usage });

/** opts.ValidateLabel. */
function validateLabel(value: string): void {
  const key = value.split('=', 1)[0].trim();
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
}

/** opts.ValidateExtraHost: `host:ip` (or `host=ip`), the IP checked unless it is `host-gateway`. */
function validateExtraHost(value: string): void {
  const sep = /[=:]/.exec(value);
  const name = sep ? value.slice(0, sep.index) : '';
  if (!sep || name === '') throw new Error(`bad format for add-host: "${value}"`);
  const ip = value.slice(sep.index + 1).replace(/^\[(.*)\]$/, '$1');
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const ipv6 = /^[0-9a-fA-F:.]+$/;
  if (ip !== 'host-gateway' && !ipv4.test(ip) && !(ip.includes(':') && ipv6.test(ip))) throw new Error(`invalid IP address in add-host: "${ip}"`);
}

/** pflag's StringSlice: comma separated values, each flag use adding more. */
function stringSlice(values: readonly string[]): string[] {
  return values.flatMap((value) => (value === '' ? [] : value.split(',')));
}

const BUILD_FLAGS: FlagSpec[] = [
  { long: 'add-host', type: 'stringArray', usage: 'Add a custom host-to-IP mapping ("host:ip")', valueName: 'list', validate: validateExtraHost },
  { long: 'build-arg', type: 'stringArray', usage: 'Set build-time variables', valueName: 'list' },
  { long: 'cache-from', type: 'stringArray', usage: 'Images to consider as cache sources', valueName: 'strings' },
  str('cgroup-parent', 'Set the parent cgroup for the "RUN" instructions during build'),
  bool('compress', 'Compress the build context using gzip'),
  int('cpu-period', 'Limit the CPU CFS (Completely Fair Scheduler) period'),
  int('cpu-quota', 'Limit the CPU CFS (Completely Fair Scheduler) quota'),
  int('cpu-shares', 'CPU shares (relative weight)', 'c'),
  str('cpuset-cpus', 'CPUs in which to allow execution (0-3, 0,1)'),
  str('cpuset-mems', 'MEMs in which to allow execution (0-3, 0,1)'),
  bool('disable-content-trust', 'Skip image verification', undefined, true),
  { long: 'file', short: 'f', type: 'string', usage: 'Name of the Dockerfile (Default is "PATH/Dockerfile")', valueName: 'string' },
  bool('force-rm', 'Always remove intermediate containers'),
  str('iidfile', 'Write the image ID to the file'),
  str('isolation', 'Container isolation technology'),
  { long: 'label', type: 'stringArray', usage: 'Set metadata for an image', valueName: 'list', validate: validateLabel },
  bytes('memory', 'Memory limit', 'm'),
  bytes('memory-swap', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap', undefined, memSwapBytes),
  { long: 'network', type: 'string', usage: 'Set the networking mode for the RUN instructions during build', valueName: 'string', default: 'default' },
  bool('no-cache', 'Do not use cache when building the image'),
  str('platform', 'Set platform if server is multi-platform capable'),
  bool('pull', 'Always attempt to pull a newer version of the image'),
  bool('quiet', 'Suppress the build output and print image ID on success', 'q'),
  bool('rm', 'Remove intermediate containers after a successful build', undefined, true),
  { long: 'security-opt', type: 'stringArray', usage: 'Security options', valueName: 'strings' },
  bytes('shm-size', 'Size of "/dev/shm"'),
  bool('squash', 'Squash newly built layers into a single new layer'),
  {
    long: 'tag',
    short: 't',
    type: 'stringArray',
    usage: 'Name and optionally a tag in the "name:tag" format',
    valueName: 'list',
    validate: (value) => void parseNormalizedNamed(value),
  },
  str('target', 'Set the target build stage to build.'),
  { long: 'ulimit', type: 'stringArray', usage: 'Ulimit options', valueName: 'ulimit', validate: (v) => void parseUlimit(v) },
];

const strings = (flags: FlagValues, name: string) => flags[name] as string[];
const sizeFlag = (flags: FlagValues, name: string, parse = ramInBytes) => (flags[name] ? parse(flags[name] as string) : 0);

/** opts.ConvertKVStringsToMapWithNil after opts.ValidateEnv: `NAME` takes the environment's value, or null when unset. */
export function buildArgsFrom(values: readonly string[], env: NodeJS.ProcessEnv): Record<string, string | null> {
  const args: Record<string, string | null> = {};
  for (const raw of values) {
    const value = expandEnv(raw, env);
    const eq = value.indexOf('=');
    if (eq === -1) args[value] = null;
    else args[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return args;
}

/** The POST /build parameters for these flags (the `dockerfile` one comes from the context). */
export function buildOptionsFrom(flags: FlagValues, env: NodeJS.ProcessEnv): BuildOptions {
  return {
    tags: strings(flags, 'tag'),
    quiet: flags.quiet as boolean,
    noCache: flags['no-cache'] as boolean,
    remove: flags.rm as boolean,
    forceRemove: flags['force-rm'] as boolean,
    pull: flags.pull as boolean,
    isolation: flags.isolation as string,
    cpuSetCpus: flags['cpuset-cpus'] as string,
    cpuSetMems: flags['cpuset-mems'] as string,
    cpuShares: flags['cpu-shares'] as number,
    cpuQuota: flags['cpu-quota'] as number,
    cpuPeriod: flags['cpu-period'] as number,
    cgroupParent: flags['cgroup-parent'] as string,
    memory: sizeFlag(flags, 'memory'),
    memorySwap: sizeFlag(flags, 'memory-swap', memSwapBytes),
    shmSize: sizeFlag(flags, 'shm-size'),
    ulimits: collectUlimits(strings(flags, 'ulimit')),
    buildArgs: buildArgsFrom(strings(flags, 'build-arg'), env),
    labels: kvToMap(strings(flags, 'label')),
    cacheFrom: stringSlice(strings(flags, 'cache-from')),
    securityOpt: stringSlice(strings(flags, 'security-opt')),
    networkMode: flags.network as string,
    squash: flags.squash as boolean,
    extraHosts: strings(flags, 'add-host'),
    target: flags.target as string,
    platform: (flags.platform as string) || env.DOCKER_DEFAULT_PLATFORM || undefined,
    authConfigs: {},
  };
}

/**
 * jsonmessage.JSONProgress.String for byte counts: `%8v` of the size, or a
 * 50-wide bar with `current/total` when the total is known.
 */
export function progressText(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  const size = humanSize(current).padStart(8);
  if (total <= 0) return size;
  const filled = Math.min(50, Math.trunc((current / total) * 100) / 2) | 0;
  const bar = `[${'='.repeat(filled)}>${' '.repeat(Math.max(0, 50 - filled))}] `;
  return current > total ? bar + size : `${bar}${size}/${humanSize(total)}`;
}

/**
 * docker's progress.Reader with the raw progress formatter: `action size\r`
 * as bytes pass (on a terminal, every 512kB), the last one always, then `\r\n`.
 */
function withProgress(source: Readable, out: Writable, action: string, total: number, live: boolean): Readable {
  let current = 0;
  let shown = 0;
  const line = () => {
    const text = progressText(current, total);
    return `${action} ${text}\r${text === '' ? '\n' : ''}`;
  };
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      current += chunk.length;
      if (live && current - shown > PROGRESS_EVERY) {
        shown = current;
        out.write(line());
      }
      done(null, chunk);
    },
    flush(done) {
      out.write(`${line()}\r\n`);
      done();
    },
  });
  return pipeline(source, counter, () => undefined);
}

/** A Writable that keeps what is written (docker's bytes.Buffer for -q). */
class Collector extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/** Takes the image ID from `aux` messages and ends with the daemon's exit code on an error message. */
async function* watchMessages(messages: AsyncIterable<JsonMessage>, onId: (id: string) => void): AsyncGenerator<JsonMessage> {
  for await (const msg of messages) {
    const id = (msg.aux as { ID?: unknown } | undefined)?.ID;
    if (typeof id === 'string') onId(id);
    const code = msg.errorDetail?.code;
    if (code && (msg.errorDetail?.message || msg.error)) throw new StatusError(msg.errorDetail?.message || msg.error || '', code);
    yield msg;
  }
}

async function removeStale(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw new Error(`Removing image ID file: ${goPathError('remove', file, err).message}`);
  }
}

/**
 * A git repository is cloned by the engine (POST /build?remote=URL#ref:dir),
 * as docker-compose 1.29 asks for it; the docker CLI clones it itself, to the
 * same context. `-f` names the Dockerfile inside that context.
 */
function gitRemote(url: string, dockerfile: string): { context: null; dockerfile: string; remote: string } {
  if (dockerfile === '-') throw new ContextError('cannot use a Dockerfile from stdin with a git context');
  return { context: null, dockerfile, remote: url };
}

async function runBuild(ctx: CommandContext, flags: FlagValues, contextArg: string): Promise<number> {
  const quiet = flags.quiet as boolean;
  const isolation = flags.isolation as string;
  if (isolation !== '' && isolation.toLowerCase() !== 'default') {
    throw new StatusError(`isolation "${isolation}" is not supported: berth runs Linux containers with the default isolation only`, 1);
  }
  if (flags['disable-content-trust'] === false) throw new StatusError('content trust (--disable-content-trust=false) is not supported by berth', 1);
  const options = buildOptionsFrom(flags, process.env);
  // As docker: every stored credential goes along, for FROM images the daemon has to pull.
  options.authConfigs = await allCredentials();
  const iidfile = flags.iidfile as string;
  if (iidfile) await removeStale(iidfile);

  // With -q docker keeps progress and output aside, shown only on failure.
  const progress: Writable = quiet ? new Collector() : ctx.stdout;
  const output: Writable = quiet ? new Collector() : ctx.stdout;
  const tty = Boolean(ctx.stdout.isTTY);
  const showAside = () => (quiet ? write(ctx.stderr, (progress as Collector).text() + (output as Collector).text()) : Promise.resolve());

  let prepared: Omit<PreparedContext, 'context'> & { context: Readable | null; remote?: string };
  try {
    // A local directory comes first, as docker checks it first.
    prepared = isGitUrl(contextArg) && !existsSync(contextArg) ? gitRemote(contextArg, flags.file as string) : await prepareBuildContext({
      context: contextArg,
      dockerfile: flags.file as string,
      stdin: ctx.stdin,
      onDownload: (stream, url, size) => withProgress(stream, progress, `Downloading build context from remote url: ${url}`, size, true),
    });
  } catch (err) {
    if (!(err instanceof ContextError)) throw err;
    if (quiet && isUrl(contextArg)) await showAside();
    throw new StatusError(`unable to prepare context: ${err.message}`, 1);
  }

  let body = prepared.context;
  if (body && flags.compress) body = pipeline(body, createGzip(), () => undefined);
  if (body) body = withProgress(body, progress, 'Sending build context to Docker daemon', 0, tty);

  const client = await ctx.client();
  let stream: Readable;
  try {
    stream = await client.build(body, { ...options, dockerfile: prepared.dockerfile, remote: prepared.remote });
  } catch (err) {
    await showAside();
    throw err;
  }

  let imageId = '';
  try {
    await displayJsonMessages({ ...ctx, stdout: output }, watchMessages(readJsonMessages(stream), (id) => (imageId = id)));
  } catch (err) {
    if (err instanceof StatusError) await showAside();
    throw err;
  }
  if (quiet) {
    // The daemon's -q output is the ID on a line of its own; print it as it came.
    const printed = (output as Collector).text();
    await write(ctx.stdout, printed !== '' ? printed : imageId ? `${imageId}\n` : '');
    imageId ||= printed.trim();
  }
  if (iidfile) {
    if (!imageId) throw new StatusError(`Server did not provide an image ID. Cannot write ${iidfile}`, 1);
    await writeFile(iidfile, imageId, { mode: 0o666 });
  }
  return 0;
}

export const buildCommand: CommandSpec = {
  path: 'image build',
  aliases: ['image build', 'build', 'builder build'],
  usage: '[OPTIONS] PATH | URL | -',
  short: 'Build an image from a Dockerfile',
  args: { kind: 'exact', count: 1 },
  flags: BUILD_FLAGS,
  run: (ctx, { flags, args }) => runBuild(ctx, flags, args[0]),
};

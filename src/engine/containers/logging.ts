/**
 * Container logs as json-file's options shape them: `max-size` caps the
 * current file (conmon's --log-size-max: past it conmon starts a new file
 * under the same name), and with `max-file` > 1 the files it replaces are
 * kept as ctr.log.1 … ctr.log.<max-file - 1>, newest first, as json-file
 * keeps them. conmon replaces the file by renaming a new one over it, so
 * berthd holds a hard link to the current file ("ctr.log.held"): when the
 * name moves to a new file, the held link still reaches the old content and
 * becomes ctr.log.1. While berthd is down at most the file held when it
 * stopped is kept besides the current one; the size cap still holds.
 */
import { watch, type FSWatcher } from 'node:fs';
import { link, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { EngineError, invalid, notImplemented } from '../../lib/errors.js';
import type { HostConfig, LogConfig, Ulimit } from './types.js';

/** The drivers berth runs: k8s-file is conmon's own format; json-file and local are written in it too (docker logs reads them alike). */
const DRIVERS = ['json-file', 'k8s-file', 'local', 'none'];
/** Drivers dockerd has built in that berth does not run: refused by name, as not implemented. */
const DOCKERD_ONLY = ['syslog', 'journald', 'gelf', 'fluentd', 'awslogs', 'splunk', 'gcplogs', 'logentries', 'etwlogs'];
/** Each driver's options, and dockerd's wording when one is unknown (json-file's and local's differ). */
const OPTIONS: Record<string, { names: string[]; unknown: (name: string) => string }> = {
  'json-file': { names: ['max-size', 'max-file'], unknown: (n) => `unknown log opt '${n}' for json-file log driver` },
  'k8s-file': { names: ['max-size', 'max-file'], unknown: (n) => `unknown log opt '${n}' for k8s-file log driver` },
  local: { names: ['max-size', 'max-file', 'compress'], unknown: (n) => `unknown log opt '${n}' for log driver local` },
};
/**
 * What a driver applies when the container sets no size options: local's own defaults (20 MB in 5 files),
 * and berth's cap for json-file (dockerd's is unbounded). Applied at run, never written into the container.
 */
const RUN_DEFAULTS: Record<string, Record<string, string>> = {
  'json-file': { 'max-size': '10m', 'max-file': '3' },
  local: { 'max-size': '20m', 'max-file': '5' },
};

/** go-units FromHumanSize (decimal: "10m" is 10,000,000 bytes), which json-file's max-size uses. */
export function fromHumanSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)$/i.exec(text.trim());
  if (!m) return NaN;
  return Math.trunc(Number(m[1]) * 1000 ** ' kmgtp'.indexOf(m[2]!.toLowerCase() || ' '));
}

/**
 * What dockerd checks at create: the driver exists (an unknown name is looked up as a
 * plugin, and not found) and its options are known. Values are checked at start.
 */
export function checkLogConfig(config: LogConfig | undefined): void {
  const type = config?.Type;
  if (!type) return;
  if (DOCKERD_ONLY.includes(type)) throw notImplemented(`logging driver "${type}" is not supported by this berthd (${DRIVERS.join(', ')})`);
  if (!DRIVERS.includes(type)) throw invalid(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  const options = OPTIONS[type];
  if (!options) return; // none takes any option and uses none, as dockerd's
  for (const name of Object.keys(config.Config ?? {})) if (!options.names.includes(name)) throw invalid(options.unknown(name));
}

/** The option values, as the driver checks them when it starts: dockerd's "failed to initialize logging driver" error. */
export function checkLogValues(config: LogConfig | undefined): void {
  const problem = logValueProblem(config?.Type ?? '', config?.Config ?? {});
  // A 500 as dockerd's: the container was accepted, its start failed.
  if (problem) throw new EngineError('internal', `failed to initialize logging driver: ${problem}`);
}

function logValueProblem(type: string, opts: Record<string, string>): string | null {
  // A driver create never accepted (a record from elsewhere): dockerd's factory finds none by that name.
  if (type && !DRIVERS.includes(type)) return `logger: no log driver named '${type}' is registered`;
  if (!OPTIONS[type]) return null;
  const local = type === 'local';
  const size = opts['max-size'];
  if (size !== undefined) {
    const bytes = fromHumanSize(size);
    if (Number.isNaN(bytes)) return local ? `invalid value for max-size: ${size}: invalid size: '${size}'` : `invalid size: '${size}'`;
    if (bytes <= 0 && !local) return 'max-size must be a positive number';
  }
  const files = opts['max-file'];
  if (files !== undefined) {
    if (!/^[+-]?\d+$/.test(files)) return local ? `invalid value for max-file: ${files}` : `strconv.Atoi: parsing ${JSON.stringify(files)}: invalid syntax`;
    const count = Number(files);
    if (local && count <= 1 && opts.compress !== 'false') return 'compression cannot be enabled when max file count is 1';
    if (count < 1) return 'max-file cannot be less than 1';
  }
  if (local && opts.compress !== undefined && !['true', 'false', '1', '0'].includes(opts.compress)) return `invalid value for compress: ${opts.compress}`;
  return null;
}

/** Whether the driver keeps logs that `docker logs` can read (none does not). */
export function logsReadable(h: HostConfig): boolean {
  return h.LogConfig?.Type !== 'none';
}

/** The limits the driver applies: the container's options, else the driver's run defaults (see RUN_DEFAULTS). */
export function logLimits(h: HostConfig): { maxSize: number; maxFile: number } {
  const type = h.LogConfig?.Type || 'json-file';
  const own = h.LogConfig?.Config ?? {};
  const opts = own['max-size'] === undefined && own['max-file'] === undefined ? RUN_DEFAULTS[type] ?? {} : own;
  return { maxSize: opts['max-size'] ? fromHumanSize(opts['max-size']) : 0, maxFile: Number(opts['max-file'] ?? '1') };
}

/**
 * moby's mergeAndVerifyLogConfig: no driver means the daemon's, and with the
 * daemon's driver its options fill in what the container leaves out. The
 * result is recorded in the container's HostConfig.
 */
export function mergeLogConfig(own: LogConfig | undefined, daemon: LogConfig): LogConfig {
  const type = own?.Type || daemon.Type;
  const config = { ...(own?.Config ?? {}) };
  if (type === daemon.Type) for (const [k, v] of Object.entries(daemon.Config)) if (!(k in config)) config[k] = v;
  return { Type: type, Config: config };
}

/** moby's mergeUlimits: the daemon's defaults, except those the container sets itself. */
export function withDefaultUlimits(own: Ulimit[] | null | undefined, defaults: Ulimit[]): Ulimit[] {
  const mine = own ?? [];
  return [...mine, ...defaults.filter((d) => !mine.some((u) => u.Name === d.Name))];
}

/** The log files of a container, oldest first: ctr.log.<n> … ctr.log.1, then ctr.log. */
export function logFiles(path: string, maxFile: number): string[] {
  return [...Array.from({ length: Math.max(0, maxFile - 1) }, (_, i) => `${path}.${maxFile - 1 - i}`), path];
}

/** Keeps the files conmon replaces while one container runs (see above). */
export class LogKeeper {
  private watcher: FSWatcher | null = null;
  private heldIno = 0;
  private busy: Promise<void> = Promise.resolve();

  constructor(private readonly path: string, private readonly maxFile: number, private readonly onError: (message: string) => void) {}

  private get held(): string {
    return `${this.path}.held`;
  }

  async start(): Promise<void> {
    // After a berthd restart the held link may be a file conmon replaced meanwhile: keep it as ctr.log.1.
    const held = await stat(this.held).catch(() => null);
    if (held) {
      this.heldIno = held.ino;
      await this.check();
    } else {
      await link(this.path, this.held).catch(() => undefined);
      this.heldIno = (await stat(this.held).catch(() => null))?.ino ?? 0;
    }
    this.watcher = watch(dirname(this.path), (_event, name) => {
      if (name === basename(this.path)) this.busy = this.busy.then(() => this.check()).catch((err) => this.onError(`log rotation: ${(err as Error).message}`));
    });
    this.watcher.on('error', () => undefined);
  }

  /** When ctr.log is a new file: shift the kept ones up, the held one becomes ctr.log.1, hold the new one. */
  private async check(): Promise<void> {
    const current = await stat(this.path).catch(() => null);
    if (!current || current.ino === this.heldIno) return;
    await unlink(`${this.path}.${this.maxFile - 1}`).catch(() => undefined);
    for (let n = this.maxFile - 2; n >= 1; n--) await rename(`${this.path}.${n}`, `${this.path}.${n + 1}`).catch(() => undefined);
    await rename(this.held, `${this.path}.1`).catch(() => undefined);
    await link(this.path, this.held);
    this.heldIno = current.ino;
  }

  /** When the container exits: stop watching, drop the held link. With `keepHeld` (berthd stopping, the container runs on) the link stays for the next start(). */
  async stop(options: { keepHeld?: boolean } = {}): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    await this.busy;
    if (!options.keepHeld) await unlink(this.held).catch(() => undefined);
  }
}

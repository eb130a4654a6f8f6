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
import { invalid, notImplemented } from '../../lib/errors.js';
import type { HostConfig, LogConfig, Ulimit } from './types.js';

const DRIVERS = ['json-file', 'k8s-file'];
const OPTIONS = ['max-size', 'max-file'];

/** go-units FromHumanSize (decimal: "10m" is 10,000,000 bytes), which json-file's max-size uses. */
export function fromHumanSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)$/i.exec(text.trim());
  if (!m) return NaN;
  return Math.trunc(Number(m[1]) * 1000 ** ' kmgtp'.indexOf(m[2]!.toLowerCase() || ' '));
}

export function checkLogConfig(config: LogConfig | undefined): void {
  if (!config?.Type) return;
  if (!DRIVERS.includes(config.Type)) throw notImplemented(`logging driver "${config.Type}" is not supported by this berthd (${DRIVERS.join(', ')})`);
  for (const [name, value] of Object.entries(config.Config ?? {})) {
    if (!OPTIONS.includes(name)) throw invalid(`unknown log opt '${name}' for ${config.Type} log driver`);
    if (name === 'max-size' && !(fromHumanSize(value) > 0)) throw invalid(`invalid max-size: ${value}`);
    if (name === 'max-file' && !(/^\d+$/.test(value) && Number(value) >= 1)) throw invalid(`max-file must be a positive number: ${value}`);
  }
}

export function logLimits(h: HostConfig): { maxSize: number; maxFile: number } {
  const opts = h.LogConfig?.Config ?? {};
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

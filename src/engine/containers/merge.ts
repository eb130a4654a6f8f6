import { invalid } from '../../lib/errors.js';
import { goMapOrder } from '../../lib/go-map.js';
import { mergeHealthcheck } from '../../lib/healthcheck.js';
import { DEFAULT_PATH, type ContainerConfig } from './types.js';

/**
 * Merges an image's config into a create request's config as Docker does
 * (daemon/create.go, merge()):
 * - Env: the image's, with the request's entries replacing same-named ones;
 * - Entrypoint: the request's if given; then CMD is the request's only
 *   (an image CMD never follows a replaced ENTRYPOINT);
 * - otherwise Entrypoint from the image and Cmd from the request, else the image;
 * - WorkingDir, User, StopSignal, Shell: the request's, else the image's;
 * - Healthcheck: the request's, its empty fields filled from the image's (mergeHealthcheck);
 * - Labels, ExposedPorts, Volumes: union, the request winning, in Go's map order.
 */
export function mergeImageConfig(request: ContainerConfig, image: ContainerConfig | undefined): ContainerConfig {
  const img = image ?? {};
  const merged: ContainerConfig = { ...request };
  merged.Env = mergeEnv(img.Env ?? [], request.Env ?? []);
  const entrypointGiven = request.Entrypoint !== undefined && request.Entrypoint !== null;
  if (entrypointGiven) {
    // `--entrypoint ""` clears the image's entrypoint.
    merged.Entrypoint = request.Entrypoint!.length === 1 && request.Entrypoint![0] === '' ? null : request.Entrypoint;
    merged.Cmd = nonEmpty(request.Cmd) ? request.Cmd : null;
  } else {
    merged.Entrypoint = img.Entrypoint ?? null;
    merged.Cmd = nonEmpty(request.Cmd) ? request.Cmd : img.Cmd ?? null;
  }
  merged.WorkingDir = request.WorkingDir || img.WorkingDir || '';
  merged.User = request.User || img.User || '';
  merged.StopSignal = request.StopSignal || img.StopSignal;
  merged.Healthcheck = mergeHealthcheck(request.Healthcheck ?? undefined, img.Healthcheck ?? undefined);
  merged.Shell = request.Shell ?? img.Shell;
  merged.OnBuild = img.OnBuild ?? null;
  merged.Labels = goMapOrder({ ...(img.Labels ?? {}), ...(request.Labels ?? {}) });
  merged.ExposedPorts = unionKeys(img.ExposedPorts, request.ExposedPorts);
  merged.Volumes = unionKeys(img.Volumes, request.Volumes);
  return merged;
}

function nonEmpty(list: string[] | null | undefined): list is string[] {
  return Array.isArray(list) && list.length > 0;
}

function unionKeys(a: Record<string, object> | null | undefined, b: Record<string, object> | null | undefined): Record<string, object> | null {
  if (!a && !b) return null;
  return goMapOrder({ ...(a ?? {}), ...(b ?? {}) });
}

export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const entry of overrides) {
    const key = entry.split('=', 1)[0]!;
    const at = out.findIndex((e) => e.split('=', 1)[0] === key);
    if (at >= 0) out[at] = entry;
    else out.push(entry);
  }
  return out;
}

/**
 * dockerd's ReplaceOrAppendEnvValues, for the environment a process gets: an
 * override replaces the default of the same name or is appended; a bare
 * "KEY" (what `-e KEY` sends when the client has no KEY) removes KEY from the
 * defaults and is itself never passed on (runc refuses an entry without "=").
 * As in dockerd, only the defaults are looked up by name.
 */
export function replaceOrAppendEnv(defaults: readonly string[], overrides: readonly string[]): string[] {
  const out: (string | null)[] = [...defaults];
  const index = new Map(defaults.map((entry, i) => [entry.split('=', 1)[0]!, i]));
  for (const entry of overrides) {
    const at = index.get(entry.split('=', 1)[0]!);
    if (!entry.includes('=')) {
      if (at !== undefined) out[at] = null;
    } else if (at !== undefined) {
      out[at] = entry;
    } else {
      out.push(entry);
    }
  }
  return out.filter((entry): entry is string => entry !== null);
}

/**
 * dockerd's CreateDaemonEnvironment, for a container's process and its execs:
 * PATH, HOSTNAME, TERM for a tty and the links' variables, with the
 * container's env over them (a bare "KEY" unsets one).
 */
export function daemonEnv(config: ContainerConfig, tty: boolean, linkEnv: readonly string[] = []): string[] {
  const defaults = [DEFAULT_PATH, ...(config.Hostname ? [`HOSTNAME=${config.Hostname}`] : []), ...(tty ? ['TERM=xterm'] : []), ...linkEnv];
  return replaceOrAppendEnv(defaults, config.Env ?? []);
}

/** The process to run: ENTRYPOINT + CMD, or an error when there is none (Docker's message). */
export function commandOf(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw invalid('No command specified');
  return { path: argv[0]!, args: argv.slice(1) };
}

/**
 * Runs `berth compose` for one host as a child process: the dashboard may
 * not import the compose model (scripts/depcheck.ts), and the CLI is the one
 * tested implementation of up/down/logs. The host and its TLS files go on
 * the command line (-H, --tlsverify…), which wins over any DOCKER_HOST or
 * context in the dashboard's own environment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { invalid, unavailable } from '../../lib/errors.js';
import type { HostConfig } from './host-config.js';
import { isProjectName } from './compose-projects.js';

/** dist/src/dashboard/server/ → the repository's bin/berth. */
const BERTH = process.env.BERTH_DASHBOARD_CLI || fileURLToPath(new URL('../../../../bin/berth', import.meta.url));
/** up may pull images: give it time, but not forever. */
const RUN_TIMEOUT_MS = 10 * 60_000;
/** Output kept for the browser (the tail). */
const MAX_OUTPUT = 64 * 1024;

/** The berth CLI's global flags that reach `config`'s engine. */
export function connectionArgs(config: HostConfig): string[] {
  const args = ['-H', config.host];
  if (config.tlscacert) args.push('--tlsverify', '--tlscacert', config.tlscacert);
  else if (config.tlscert || config.host.startsWith('https://')) args.push('--tls');
  if (config.tlscert) args.push('--tlscert', config.tlscert);
  if (config.tlskey) args.push('--tlskey', config.tlskey);
  return args;
}

export interface ProjectRef {
  name: string;
  /** For up: the config files and working dir from the containers' labels. */
  configFiles?: string[];
  workingDir?: string;
}

/** `berth <connection> compose -p NAME [-f FILE…] [--project-directory DIR] <command…>` */
export function composeArgs(config: HostConfig, project: ProjectRef, command: string[]): string[] {
  if (!isProjectName(project.name)) throw invalid(`invalid project name: ${project.name}`);
  const files = (project.configFiles ?? []).flatMap((f) => ['-f', f]);
  const dir = project.workingDir ? ['--project-directory', project.workingDir] : [];
  return [...connectionArgs(config), 'compose', '-p', project.name, ...files, ...dir, ...command];
}

export function spawnCompose(config: HostConfig, project: ProjectRef, command: string[]): ChildProcess {
  const child = spawn(process.execPath, [BERTH, ...composeArgs(config, project, command)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
    // Without -f, compose looks for a compose file in the working directory and its parents: "/" has none to find.
    cwd: '/',
  });
  // A failed spawn is reported by the caller through 'close'; keep it from being an uncaught error.
  child.on('error', () => undefined);
  return child;
}

/** Runs one command to the end; resolves with its output (tail), throws with it when the command fails. */
export function runCompose(config: HostConfig, project: ProjectRef, command: string[]): Promise<string> {
  const child = spawnCompose(config, project, command);
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-MAX_OUTPUT));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const timer = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(unavailable(`berth compose ${command[0]} failed (${signal ?? `exit ${code}`}): ${output.trim()}`));
    });
  });
}

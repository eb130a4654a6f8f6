/**
 * One docker-compose 1.29 project against one target, for the compose sweep:
 * its own temp directory (the compose file, .env, build contexts), a project
 * name unique to this process, target and case, and `down -v` on close
 * whatever the case did. The checks compare what compose prints and what the
 * daemon's inspect shows, so they hold on dockerd 20.10 and on berthd alike.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { RunResult } from '../integration/harness.js';
import { runAsync, type Target } from './targets.js';

export const COMPOSE = '/usr/bin/docker-compose';

export class ComposeProject {
  private constructor(
    readonly target: Target,
    readonly dir: string,
    readonly name: string,
  ) {}

  /** A project whose files are `files` (paths relative to its directory). */
  static async create(target: Target, caseName: string, files: Record<string, string>): Promise<ComposeProject> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
    const project = new ComposeProject(target, dir, `c${process.pid}${target.kind[0]}${caseName}`);
    await project.write(files);
    return project;
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(this.dir, path)), { recursive: true });
      await writeFile(join(this.dir, path), content);
    }
  }

  /** run and exec go through the docker CLI (compose's default): its attach comes before the start. */
  get env(): Record<string, string> {
    return { DOCKER_HOST: this.target.host, DOCKER_TLS_VERIFY: '', DOCKER_CONFIG: join(this.dir, '.docker-config') };
  }

  /** docker-compose in the project's directory (where it finds .env), exit code and output as they are. */
  run(...args: string[]): Promise<RunResult> {
    return runAsync('/bin/sh', ['-c', 'cd "$0" && exec "$@"', this.dir, COMPOSE, '--ansi', 'never', '-p', this.name, ...args], this.env);
  }

  /** docker-compose that must succeed; the failure message carries its output and the daemon's log. */
  async ok(...args: string[]): Promise<RunResult> {
    const r = await this.run(...args);
    assert.equal(r.code, 0, `docker-compose ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}\n${this.target.log().slice(-3000)}`);
    return r;
  }

  /** `docker-compose` in the background (events, logs -f) until stop() is called. */
  background(...args: string[]): { output: () => string; stop: () => Promise<void> } {
    const child = spawn('/bin/sh', ['-c', 'cd "$0" && exec "$@"', this.dir, COMPOSE, '--ansi', 'never', '-p', this.name, ...args], {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise((r) => child.once('close', r));
    return {
      output: () => out,
      stop: async () => {
        if (child.exitCode === null) child.kill('SIGKILL');
        await closed;
      },
    };
  }

  /** The container of a service's replica, as `docker inspect` shows it. */
  inspect(service: string, index = 1): ContainerInspect {
    const r = this.target.docker(['inspect', `${this.name}_${service}_${index}`]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as ContainerInspect[])[0]!;
  }

  /** The project's containers (all states) by name, sorted. */
  containers(): string[] {
    const r = this.target.docker(['ps', '-a', '--format', '{{.Names}}', '--filter', `label=com.docker.compose.project=${this.name}`]);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  /** `down -v` (and the orphans), then the directory: run after each case, whatever it did. */
  async close(): Promise<void> {
    await this.run('down', '-v', '-t', '1', '--remove-orphans');
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  RestartCount: number;
  State: { Status: string; Running: boolean; Pid: number; ExitCode: number; Health?: { Status: string } };
  Config: { Labels: Record<string, string>; StopSignal?: string; StopTimeout?: number; Env: string[] };
  HostConfig: Record<string, unknown>;
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[];
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null; IPAMConfig: { IPv4Address?: string } | null; IPAddress: string }> };
}

/** Polls until the check holds: tests wait for states, never for a time. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`timed out waiting for ${what}`);
}

/**
 * A case on its own project: made before, closed (down -v) after, even when
 * the case fails.
 */
export async function withProject(target: Target, caseName: string, files: Record<string, string>, body: (p: ComposeProject) => Promise<void>): Promise<void> {
  const project = await ComposeProject.create(target, caseName, files);
  try {
    await body(project);
  } finally {
    await project.close();
  }
}

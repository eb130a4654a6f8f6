/**
 * The two daemons every client test runs against: a private berthd (the
 * subject) and, when the host has one, a private dockerd 20.10 (the
 * reference). A test file writes its cases once, inside eachTarget(); they run
 * against both, so a case that passes on dockerd shows its expectation is
 * dockerd's behaviour, and the same case on berthd shows whether berth gives
 * it. Each target gets busybox:latest imported once, from the rootfs tar the
 * integration tests use.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe } from 'node:test';
import { ReferenceDockerd, TestDaemon, busyboxRootfs, dockerdSkipReason, type RunResult } from '../integration/harness.js';

export type TargetKind = 'berthd' | 'dockerd';

export interface Target {
  kind: TargetKind;
  /** unix:///…/x.sock, for DOCKER_HOST. */
  host: string;
  /** The socket path, for clients that take one (dockerode). */
  socket: string;
  /** The docker CLI against this daemon (setup and cleanup, not the checks). */
  docker(args: string[], input?: string | Buffer): RunResult;
  /** The daemon's log, for failure messages (empty for dockerd, whose output is not kept). */
  log(): string;
  stop(): Promise<void>;
}

async function startBerthd(): Promise<Target> {
  const daemon = await TestDaemon.start();
  return {
    kind: 'berthd',
    host: daemon.host,
    socket: daemon.socket,
    docker: (args, input) => daemon.docker(args, input),
    log: () => daemon.log(),
    stop: () => daemon.stop(),
  };
}

/**
 * dockerd keeps user networks (and their bridges) across a restart, so they
 * are removed before it stops: a test run must leave no br-* interface behind.
 */
async function startDockerd(): Promise<Target> {
  const daemon = await ReferenceDockerd.start();
  const docker = (args: string[], input?: string | Buffer) => daemon.docker(args, input);
  return {
    kind: 'dockerd',
    host: daemon.host,
    socket: daemon.host.replace(/^unix:\/\//, ''),
    docker,
    log: () => '',
    stop: async () => {
      const ids = docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length) docker(['rm', '-f', ...ids]);
      docker(['network', 'prune', '-f']);
      await daemon.stop();
    },
  };
}

/** A daemon of that kind with busybox:latest (CMD sh) in it. */
export async function startTarget(kind: TargetKind): Promise<Target> {
  const target = kind === 'berthd' ? await startBerthd() : await startDockerd();
  try {
    const imported = target.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']);
    assert.equal(imported.code, 0, imported.stderr);
  } catch (err) {
    await target.stop();
    throw err;
  }
  return target;
}

/**
 * Declares the same cases against berthd and against dockerd (skipped, with
 * the reason, when this host cannot run a private dockerd). The daemons start
 * one after the other (a start polls with blocking CLI calls that would starve
 * the other's), then the two targets' cases run side by side to keep the layer
 * quick on a loaded host; a target's own suites run one after the other.
 * `cases` receives getters because the targets only exist once `before` has run:
 * its own target, and the other one (for cases that compare the two side by side).
 */
export function eachTarget(title: string, cases: (target: () => Target, kind: TargetKind, other: () => Target) => void): void {
  const kinds = (['berthd', 'dockerd'] as const).map((kind) => ({ kind, skip: kind === 'dockerd' ? dockerdSkipReason() : undefined }));
  const started = new Map<TargetKind, Target | Error>();
  describe(title, { concurrency: true }, () => {
    before(async () => {
      for (const { kind, skip } of kinds) {
        if (!skip) started.set(kind, await startTarget(kind).catch((err: Error) => err));
      }
    });
    after(async () => {
      for (const target of started.values()) if (!(target instanceof Error)) await target.stop();
    });
    const get = (kind: TargetKind) => () => {
      const target = started.get(kind);
      if (!target) throw new Error(`${kind} was not started`);
      if (target instanceof Error) throw target;
      return target;
    };
    for (const { kind, skip } of kinds) {
      describe(kind, { skip, concurrency: 1 }, () => {
        cases(get(kind), kind, get(kind === 'berthd' ? 'dockerd' : 'berthd'));
      });
    }
  });
}

/** Why a client binary cannot run here, or undefined. */
export function missing(path: string, pkg: string): string | undefined {
  return existsSync(path) ? undefined : `${path} not installed (apt-get install ${pkg})`;
}

/**
 * Runs a client command without blocking the event loop (the two targets'
 * cases run side by side), with the environment given on top of this one's.
 */
export function runAsync(cmd: string, args: string[], env: Record<string, string>, timeoutMs = 180_000): Promise<RunResult> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

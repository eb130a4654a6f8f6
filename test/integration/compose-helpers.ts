/** What the compose integration tests share: the berth CLI against one daemon, free ports, busybox. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, run, TestDaemon, type RunResult } from './harness.js';

/** A command that runs until stopped and exits 0 on SIGTERM. */
export const LOOP = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 1; done"];

/** docker compose v2 (Debian's 2.26.1), fetched and checked by scripts/compose-v2.sh: its path. */
export function composeV2Binary(): string {
  const r = run(join(ROOT, 'scripts', 'compose-v2.sh'), [], undefined, {}, 300_000);
  if (r.code !== 0) throw new Error(`scripts/compose-v2.sh failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** A host port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export function lines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The berth CLI against one daemon, with the project's compose.yaml in `dir`. */
export class Target {
  constructor(readonly name: string, readonly host: string, readonly dir: string) {}

  berth(args: string[], input?: string): RunResult {
    return run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', this.host, ...args], input);
  }

  /** `berth compose -f DIR/compose.yaml ARGS`, whatever its exit code. */
  composeRaw(args: string[]): RunResult {
    return this.berth(['compose', '-f', join(this.dir, 'compose.yaml'), ...args]);
  }

  compose(args: string[]): RunResult {
    const r = this.composeRaw(args);
    assert.equal(r.code, 0, `compose ${args.join(' ')} on ${this.name}: ${r.stderr}`);
    return r;
  }

  inspect(name: string, template: string, kind = 'container'): string {
    const r = this.berth([kind, 'inspect', '-f', template, name]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  async importBusybox(): Promise<void> {
    const r = this.berth(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']);
    assert.equal(r.code, 0, r.stderr);
  }
}

export interface ComposeChild {
  child: ChildProcess;
  /** The exit code, once the child has exited and its output is all read. */
  exited: Promise<number | null>;
  /** `exited`, bounded: past `timeoutMs` the child is killed and this fails naming `what` it waited for, with the output so far. */
  exit(what: string, timeoutMs?: number): Promise<number | null>;
  /** Resolves once stdout satisfies `predicate`; fails (with the output) after two minutes or if the CLI exits first. */
  until(predicate: (stdout: string) => boolean, what: string): Promise<void>;
  out(): { stdout: string; stderr: string };
}

/** `berth compose ARGS` as a child whose output is watched while the test goes on (attached up, logs -f). */
export function spawnCompose(t: Target, args: string[]): ComposeChild {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', t.host, 'compose', '-f', join(t.dir, 'compose.yaml'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), waiters.splice(0).forEach((w) => w())));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // 'close', not 'exit': the output the child wrote last has been read by then.
  let closed = false;
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => ((closed = true), resolve(code))));
  const until = async (predicate: (out: string) => boolean, what: string) => {
    const deadline = Date.now() + 120_000;
    while (!predicate(stdout)) {
      if (Date.now() > deadline || closed) throw new Error(`waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 1000);
      });
    }
  };
  const exit = async (what: string, timeoutMs = 120_000) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`compose ${args.join(' ')} did not exit within ${timeoutMs / 1000} s (waiting for ${what}); stdout:\n${stdout}\nstderr:\n${stderr}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([exited, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  return { child, exited, exit, until, out: () => ({ stdout, stderr }) };
}

/** Imports busybox, runs the scenario (errors named by target), and always takes the project down again. */
export async function onTarget(t: Target, scenario: (t: Target) => Promise<void>): Promise<void> {
  await t.importBusybox();
  try {
    await scenario(t);
  } catch (err) {
    if (err instanceof Error) err.message = `[${t.name}] ${err.message}`;
    throw err;
  } finally {
    t.composeRaw(['down', '-v', '--rmi', 'local', '--remove-orphans', '-t', '0']);
  }
}

/**
 * A suite running `scenario` against a private berthd and, when installed, a
 * private dockerd 20.10; `extra` declares more tests of the suite, given its project directory.
 */
export function composeSuite(title: string, scenario: (t: Target) => Promise<void>, extra?: (dir: () => string) => void): void {
  describe(title, () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    test('against berthd', async () => {
      const daemon = await TestDaemon.start();
      try {
        await onTarget(new Target('berthd', daemon.host, dir), scenario);
      } finally {
        await daemon.stop();
      }
    });

    test('against dockerd 20.10', { skip: dockerdSkipReason() }, async () => {
      const daemon = await ReferenceDockerd.start();
      try {
        await onTarget(new Target('dockerd', daemon.host, dir), scenario);
      } finally {
        await daemon.stop();
      }
    });

    extra?.(() => dir);
  });
}

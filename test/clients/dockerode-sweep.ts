/**
 * The dockerode sweep's runner: each case runs once on berthd and once on
 * dockerd 20.10, side by side, and what the two gave is compared. A case
 * returns what it saw as `shape` (compared by keys and kinds of value, see
 * shape.ts) and `same` (compared exactly, IDs folded): statuses and error
 * messages go in `same` through attempt(). Both clients speak API v1.41,
 * dockerd 20.10's own, so fields newer than it do not count as differences.
 * Everything a case makes carries its tag (names and labels) and is removed
 * when the case ends, whatever happened.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import Docker from 'dockerode';
import { kindOf, shapeDiff, withoutIds } from './shape.js';
import type { Target } from './targets.js';

export interface Seen {
  shape?: unknown;
  same?: unknown;
}

export interface SweepContext {
  docker: Docker;
  target: Target;
  /** 0 on berthd, 1 on dockerd: for subnets, which must not overlap on one host. */
  index: number;
  /** Unique to the case, the same on both daemons: names and labels carry it. */
  tag: string;
  labels: Record<string, string>;
  /** Runs `undo` when the case ends (last registered, first run). */
  defer(undo: () => Promise<unknown>): void;
}

export interface SweepCase {
  name: string;
  run(ctx: SweepContext): Promise<Seen>;
  /**
   * Differences kept on purpose (berthd's answer is a documented improvement),
   * each with its reason: a shape path ('$.a.b') or a key of `same`.
   */
  kept?: Record<string, string>;
}

export type Outcome<T> = { ok: T } | { status: number; message: string };

/** A call's value, or the status and message a dockerode user gets when the daemon refuses it. */
export async function attempt<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: await call() };
  } catch (err) {
    const e = err as { statusCode?: number; json?: { message?: string } | Buffer | string | null; message: string };
    if (e.statusCode === undefined) throw err;
    const json = e.json && typeof e.json === 'object' && !Buffer.isBuffer(e.json) ? e.json : undefined;
    // For streaming calls dockerode leaves json empty and puts the daemon's text after its own words.
    const text = e.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trimEnd();
    return { status: e.statusCode, message: json?.message ?? text };
  }
}

/** The refusal only (status and message), or 'ok': for `same`. */
export async function statusOf(call: () => Promise<unknown>): Promise<'ok' | { status: number; message: string }> {
  const outcome = await attempt(call);
  return 'ok' in outcome ? 'ok' : outcome;
}

/**
 * A client's mistake that berthd answers 400 where dockerd says 500 (kept on
 * purpose, see test/integration/api-compat.test.ts): berthd's 400 counts as
 * dockerd's 500, so the message is still compared, and any other status is not excused.
 */
export function asMistake<T>(ctx: SweepContext, outcome: Outcome<T>): Outcome<T> {
  if (ctx.target.kind === 'berthd' && 'status' in outcome && outcome.status === 400) return { ...outcome, status: 500 };
  return outcome;
}

/** Everything a stream gives until it ends. */
export function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** A JSON-lines progress stream (build, import, load, events), parsed. */
export async function jsonLines(stream: Readable): Promise<Record<string, unknown>[]> {
  const text = (await collect(stream)).toString();
  return text.split(/\r?\n/).filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function runOn(target: Target, index: number, tag: string, c: SweepCase): Promise<Seen> {
  const undo: (() => Promise<unknown>)[] = [];
  const ctx: SweepContext = {
    docker: new Docker({ socketPath: target.socket, version: 'v1.41' }),
    target, index, tag, labels: { [tag]: '1' },
    defer: (fn) => undo.push(fn),
  };
  try {
    return await c.run(ctx);
  } finally {
    for (const fn of undo.reverse()) await fn().catch(() => undefined);
  }
}

/** Fold IDs in everything compared exactly. */
function folded(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(withoutIds(JSON.stringify(value))) as unknown;
}

/** `same` less the keys whose difference is kept. */
function without(same: unknown, kept: string[]): unknown {
  if (kindOf(same) !== 'object') return same;
  return Object.fromEntries(Object.entries(same as Record<string, unknown>).filter(([key]) => !kept.includes(key)));
}

/** Declares each case as a test comparing berthd's answer with dockerd's. */
export function sweep(cases: SweepCase[], berthd: () => Target, dockerd: () => Target): void {
  for (const c of cases) {
    test(c.name, async () => {
      const tag = `sweep-${randomBytes(3).toString('hex')}`;
      const [b, d] = await Promise.all([runOn(berthd(), 0, tag, c), runOn(dockerd(), 1, tag, c)]);
      const kept = Object.keys(c.kept ?? {});
      const diffs = shapeDiff(b.shape, d.shape).filter((line) => !kept.some((path) => [':', '.', '['].some((end) => line.startsWith(path + end))));
      const [sb, sd] = [folded(without(b.same, kept)), folded(without(d.same, kept))];
      // One assertion for both, so a failure shows every difference at once.
      assert.deepEqual({ shapes: diffs, same: sb }, { shapes: [], same: sd }, `shapes differ:\n${diffs.join('\n')}\nberthd: ${JSON.stringify(sb)}\ndockerd: ${JSON.stringify(sd)}`);
    });
  }
}

/** Small helpers the case tables share. */
export const busybox = (ctx: SweepContext, cmd: string[], extra: Docker.ContainerCreateOptions = {}): Docker.ContainerCreateOptions => ({
  Image: 'busybox', Cmd: cmd, Labels: ctx.labels, HostConfig: { NetworkMode: 'none' }, ...extra,
});

/** A container of the case (removed when it ends), started unless `start` is false. */
export async function containerOf(ctx: SweepContext, cmd: string[], extra: Docker.ContainerCreateOptions = {}, start = true): Promise<Docker.Container> {
  const container = await ctx.docker.createContainer(busybox(ctx, cmd, extra));
  ctx.defer(() => container.remove({ force: true }));
  if (start) await container.start();
  return container;
}

export const SLEEP = ['sleep', '300'];

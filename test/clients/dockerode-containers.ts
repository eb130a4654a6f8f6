/**
 * The dockerode sweep, containers: listing, inspect, top, changes, export,
 * the archive calls, stats, rename, update, pause, restart, kill, resize,
 * commit, logs and wait, each on berthd and dockerd 20.10 and compared.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { tarOf } from '../integration/distribution-helpers.js';
import { attempt, collect, containerOf, SLEEP, statusOf, type SweepCase, type SweepContext } from './dockerode-sweep.js';

/** The entry names of a tar stream, in order. */
async function tarNames(stream: Readable): Promise<string[]> {
  const extract = tar.extract();
  const names: string[] = [];
  extract.on('entry', (header, body, next) => {
    names.push(header.name);
    body.on('end', next);
    body.resume();
  });
  const done = new Promise((resolve, reject) => {
    extract.on('finish', () => resolve(undefined));
    extract.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  return names;
}

/** The stat header of an archive answer, without its time. */
function pathStat(headers: Record<string, unknown>): unknown {
  const raw = headers['x-docker-container-path-stat'];
  if (typeof raw !== 'string') return raw;
  const stat = JSON.parse(Buffer.from(raw, 'base64').toString()) as Record<string, unknown>;
  delete stat.mtime;
  return stat;
}

/** Waits until the container has exited (the wait answer is what is compared elsewhere). */
async function exited(ctx: SweepContext, cmd: string[]): Promise<ReturnType<SweepContext['docker']['getContainer']>> {
  const container = await containerOf(ctx, cmd);
  await container.wait();
  return container;
}

const stripTime = (line: string) => line.replace(/^\S+Z /, '<time> ');

export const CONTAINER_CASES: SweepCase[] = [
  {
    name: 'listContainers: all, size, filters (label, status, name)',
    async run(ctx) {
      await containerOf(ctx, SLEEP, { name: `${ctx.tag}-up` });
      await containerOf(ctx, SLEEP, { name: `${ctx.tag}-new` }, false);
      const label = { label: [ctx.tag] };
      const all = await ctx.docker.listContainers({ all: true, size: true, filters: label });
      const names = async (filters: Record<string, string[]>, all = true) => (await ctx.docker.listContainers({ all, filters })).map((c) => c.Names).sort();
      return {
        shape: all.sort((a, b) => a.Names[0]!.localeCompare(b.Names[0]!)),
        same: {
          states: all.map((c) => [c.Names, c.State, c.Command, c.Image]).sort(),
          running: await names(label, false),
          created: await names({ ...label, status: ['created'] }),
          byName: await names({ name: [`${ctx.tag}-up`] }),
          exited: await names({ ...label, status: ['exited'] }),
        },
      };
    },
  },
  {
    name: 'inspect with size, and a missing container',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP, { Env: ['A=b'], WorkingDir: '/tmp' });
      return {
        shape: await c.inspect({ size: true } as unknown as Docker.ContainerInspectOptions),
        same: { missing: await statusOf(() => ctx.docker.getContainer(`${ctx.tag}-none`).inspect()) },
      };
    },
  },
  {
    name: 'top, with ps_args, and of a stopped container',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP);
      const top = await c.top();
      const custom = await c.top({ ps_args: '-o pid,comm' });
      const stopped = await containerOf(ctx, SLEEP, {}, false);
      return {
        shape: { top, custom },
        same: { titles: top.Titles, customTitles: custom.Titles, custom: custom.Processes.map((p: string[]) => p[1]), stopped: await statusOf(() => stopped.top()) },
      };
    },
  },
  {
    name: 'changes: added, changed and deleted paths',
    async run(ctx) {
      const c = await exited(ctx, ['sh', '-c', 'mkdir /made && echo x > /made/f && rm /bin/ls && echo y > /etc/profile.x']);
      const changes = await c.changes();
      const sorted = [...(changes ?? [])].sort((a, b) => a.Path.localeCompare(b.Path));
      return { shape: sorted, same: sorted };
    },
  },
  {
    name: 'export: the container filesystem as a tar',
    async run(ctx) {
      const c = await exited(ctx, ['sh', '-c', 'echo x > /made']);
      const names = await tarNames((await c.export()) as unknown as Readable);
      // bin/ holds busybox's hundreds of links; the rest includes what dockerd's init layer adds (/.dockerenv,
      // dev/console, dev/pts/, dev/shm/, etc/mtab), which berth makes in the rw layer at start.
      return { same: names.filter((n) => !n.startsWith('bin/')).sort() };
    },
  },
  {
    name: 'getArchive, infoArchive, putArchive (and their refusals)',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP);
      await c.putArchive(await tarOf({ 'put/a.txt': 'hello' }), { path: '/tmp' });
      const got = (await c.getArchive({ path: '/tmp/put' })) as unknown as Readable & { headers?: Record<string, unknown> };
      const info = (await c.infoArchive({ path: '/tmp/put/a.txt' })) as unknown as { headers: Record<string, unknown> };
      return {
        same: {
          names: await tarNames(got),
          stat: pathStat(info.headers),
          missing: await statusOf(() => c.getArchive({ path: '/nope' })),
          infoMissing: await statusOf(() => c.infoArchive({ path: '/nope' })),
          putMissingDir: await statusOf(async () => c.putArchive(await tarOf({ f: 'x' }), { path: '/nope/deeper' })),
          putOverFile: await statusOf(async () => c.putArchive(await tarOf({ 'a.txt/': 'x' }), { path: '/tmp/put', noOverwriteDirNonDir: true })),
        },
      };
    },
  },
  {
    name: 'stats {stream:false} of a running and of a stopped container',
    async run(ctx) {
      const up = await containerOf(ctx, SLEEP);
      const down = await containerOf(ctx, SLEEP, {}, false);
      const running = await up.stats({ stream: false });
      const stopped = await down.stats({ stream: false });
      return { shape: { running, stopped } };
    },
    kept: { '$.running.memory_stats.stats': 'every key of memory.stat is passed on; dockerd 20.10 picks the ones containerd knew' },
  },
  {
    name: 'rename: to a new name, to a taken one, to its own',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP, { name: `${ctx.tag}-a` });
      await containerOf(ctx, SLEEP, { name: `${ctx.tag}-b` }, false);
      const renamed = await statusOf(() => c.rename({ name: `${ctx.tag}-c` }));
      return {
        same: {
          renamed, name: (await c.inspect()).Name,
          taken: await statusOf(() => c.rename({ name: `${ctx.tag}-b` })),
          own: await statusOf(() => c.rename({ name: `${ctx.tag}-c` })),
          empty: await statusOf(() => c.rename({ name: '' })),
        },
      };
    },
  },
  {
    name: 'update: resources and restart policy, and a refused update',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP);
      const updated = await c.update({ Memory: 64 * 1024 * 1024, MemorySwap: 128 * 1024 * 1024, CpuShares: 512, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
      const host = (await c.inspect()).HostConfig;
      return {
        shape: updated,
        same: {
          updated, host: [host.Memory, host.MemorySwap, host.CpuShares, host.RestartPolicy],
          tooSmall: await statusOf(() => c.update({ Memory: 1024 })),
          autoRemove: await statusOf(async () => (await containerOf(ctx, SLEEP, { HostConfig: { AutoRemove: true, NetworkMode: 'none' } }, false)).update({ RestartPolicy: { Name: 'always' } })),
        },
      };
    },
  },
  {
    name: 'pause and unpause, twice each',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP);
      const state = async () => { const s = (await c.inspect()).State; return [s.Status, s.Paused, s.Running]; };
      const paused = await statusOf(() => c.pause());
      const whilePaused = await state();
      const again = await statusOf(() => c.pause());
      const unpaused = await statusOf(() => c.unpause());
      return { same: { paused, whilePaused, again, unpaused, after: await state(), unpauseAgain: await statusOf(() => c.unpause()) } };
    },
    kept: { unpauseAgain: 'dockerd\'s words with 409, not its 500, for a client\'s mistake (as pausing twice is)' },
  },
  {
    name: 'restart with a timeout, of a running and of a created container',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP);
      const created = await containerOf(ctx, SLEEP, {}, false);
      const restarted = await statusOf(() => c.restart({ t: 1 }));
      const state = (await c.inspect()).State;
      const fresh = await statusOf(() => created.restart({ t: 1 }));
      return { same: { restarted, status: [state.Status, state.Running], fresh, freshStatus: (await created.inspect()).State.Status } };
    },
  },
  {
    name: 'kill with a signal the process traps, a bad signal, a stopped container',
    async run(ctx) {
      const c = await containerOf(ctx, ['sh', '-c', 'trap "exit 7" USR1; while true; do sleep 1; done']);
      const bad = await statusOf(() => c.kill({ signal: 'SIGNOPE' }));
      // The trap is set once the shell runs; until then USR1 would end it with 138, so wait for the loop.
      for (let i = 0; i < 100 && !(await c.top()).Processes.some((p: string[]) => p.join(' ').includes('sleep')); i++) await new Promise((r) => setTimeout(r, 100));
      const killed = await statusOf(() => c.kill({ signal: 'SIGUSR1' }));
      const waited = await c.wait();
      return { same: { bad, killed, waited, again: await statusOf(() => c.kill()) } };
    },
  },
  {
    name: 'resize the tty of a running container, and of a created one',
    async run(ctx) {
      const c = await containerOf(ctx, SLEEP, { Tty: true });
      const created = await containerOf(ctx, SLEEP, { Tty: true }, false);
      return {
        same: {
          running: await statusOf(() => c.resize({ h: 40, w: 100 })),
          created: await statusOf(() => created.resize({ h: 40, w: 100 })),
          bad: await statusOf(() => c.resize({ h: 'x', w: 100 })),
        },
      };
    },
  },
  {
    name: 'commit with repo, tag, comment, author and changes',
    async run(ctx) {
      const c = await exited(ctx, ['sh', '-c', 'echo x > /made']);
      const committed = await c.commit({ repo: ctx.tag, tag: 'v1', comment: 'a comment', author: 'someone', changes: ['ENV A=b', 'LABEL x=y'] });
      ctx.defer(() => ctx.docker.getImage(`${ctx.tag}:v1`).remove({ force: true }));
      const image = await ctx.docker.getImage(`${ctx.tag}:v1`).inspect();
      return {
        shape: committed,
        same: {
          tags: image.RepoTags, comment: image.Comment, author: image.Author, env: image.Config.Env, labels: image.Config.Labels,
          badChange: await statusOf(() => c.commit({ repo: `${ctx.tag}-bad`, changes: ['NOPE x'] })),
        },
      };
    },
  },
  {
    name: 'logs: timestamps, tail, since, follow of an exited container',
    async run(ctx) {
      const c = await exited(ctx, ['sh', '-c', 'echo one; echo two; echo three']);
      const text = async (opts: Record<string, unknown>) => ((await c.logs({ stdout: true, ...opts })) as unknown as Buffer).toString('latin1').replace(/[\x00-\x08]\x00\x00\x00[\s\S]{4}/g, '');
      const followed = (await collect((await c.logs({ stdout: true, follow: true })) as unknown as Readable)).toString('latin1');
      return {
        same: {
          stamped: (await text({ timestamps: true })).trim().split('\n').map(stripTime),
          tail: await text({ tail: 1 }),
          future: await text({ since: Math.floor(Date.now() / 1000) + 3600 }),
          followed: followed.includes('three'),
          nothingAsked: await statusOf(() => c.logs({})),
        },
      };
    },
  },
  {
    name: 'wait: not-running, next-exit, removed, and a bad condition',
    async run(ctx) {
      const created = await containerOf(ctx, SLEEP, {}, false);
      const notRunning = await created.wait({ condition: 'not-running' });
      const short = await containerOf(ctx, ['sh', '-c', 'sleep 1; exit 3'], { HostConfig: { NetworkMode: 'none', AutoRemove: true } }, false);
      const removed = short.wait({ condition: 'removed' });
      await short.start();
      const bad = await attempt(() => created.wait({ condition: 'nope' } as unknown as Docker.ContainerWaitOptions));
      return { same: { notRunning, removed: await removed, bad } };
    },
    kept: { bad: 'an unknown condition is refused (400 invalid condition), as newer dockerd does, not taken as not-running' },
  },
];

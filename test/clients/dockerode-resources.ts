/**
 * The dockerode sweep, networks, volumes and the system calls, each on
 * berthd and dockerd 20.10 and compared.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { asMistake, attempt, containerOf, jsonLines, SLEEP, statusOf, type SweepCase, type SweepContext } from './dockerode-sweep.js';

/** A network of the case, removed when it ends. Subnets differ by daemon: both bridges live on this host. */
async function networkOf(ctx: SweepContext, suffix: string, extra: Record<string, unknown> = {}) {
  const network = await ctx.docker.createNetwork({ Name: `${ctx.tag}-${suffix}`, Labels: ctx.labels, ...extra });
  ctx.defer(() => network.remove());
  return network;
}

const ipam = (ctx: SweepContext) => ({
  Driver: 'default',
  Config: [{ Subnet: `10.247.${40 + ctx.index}.0/24`, IPRange: `10.247.${40 + ctx.index}.128/25`, Gateway: `10.247.${40 + ctx.index}.1` }],
  Options: { a: 'b' },
});

async function volumeOf(ctx: SweepContext, suffix: string, extra: Record<string, unknown> = {}) {
  await ctx.docker.createVolume({ Name: `${ctx.tag}-${suffix}`, Labels: ctx.labels, ...extra });
  ctx.defer(() => ctx.docker.getVolume(`${ctx.tag}-${suffix}`).remove({ force: true }));
  // dockerode answers createVolume with a handle, not the daemon's JSON: inspect gives that.
  return ctx.docker.getVolume(`${ctx.tag}-${suffix}`).inspect();
}

/** Connecting containers whose network mode is none, host or another container's. */
async function isolatedConnects(ctx: SweepContext, network: Docker.Network) {
  const modes = { none: 'none', host: 'host', shared: `container:${ctx.tag}-c` };
  const answers: Record<string, unknown> = {};
  for (const [what, mode] of Object.entries(modes)) {
    const c = await containerOf(ctx, SLEEP, { HostConfig: { NetworkMode: mode } });
    answers[`${what}Mode`] = await statusOf(() => network.connect({ Container: c.id }));
  }
  return answers;
}

export const RESOURCE_CASES: SweepCase[] = [
  {
    name: 'createNetwork with IPAM, labels, internal; inspect; list filters',
    async run(ctx) {
      const network = await networkOf(ctx, 'net', { IPAM: ipam(ctx), Internal: true, Options: { 'com.docker.network.bridge.name': `${ctx.tag}-${ctx.index}` } });
      await networkOf(ctx, 'plain');
      const names = async (filters: Record<string, string[]>) => (await ctx.docker.listNetworks({ filters })).map((n) => n.Name).sort();
      const inspected = await network.inspect();
      return {
        shape: { inspected, listed: await ctx.docker.listNetworks({ filters: { name: [`${ctx.tag}-net`] } }) },
        same: {
          internal: inspected.Internal, labels: inspected.Labels, options: Object.keys(inspected.Options ?? {}), ipamConfig: inspected.IPAM?.Config?.length,
          byLabel: await names({ label: [ctx.tag] }), byName: await names({ name: [`${ctx.tag}-pl`] }),
          custom: await names({ label: [ctx.tag], type: ['custom'] }), builtin: await names({ label: [ctx.tag], type: ['builtin'] }),
          duplicate: await statusOf(() => ctx.docker.createNetwork({ Name: `${ctx.tag}-net`, CheckDuplicate: true })),
          missing: await statusOf(() => ctx.docker.getNetwork(`${ctx.tag}-none`).inspect()),
        },
      };
    },
  },
  {
    name: 'network connect with aliases, disconnect, remove in use, prune',
    async run(ctx) {
      const network = await networkOf(ctx, 'net', { IPAM: ipam(ctx) });
      await networkOf(ctx, 'first');
      const c = await containerOf(ctx, SLEEP, { name: `${ctx.tag}-c`, HostConfig: { NetworkMode: `${ctx.tag}-first` } });
      const connected = await statusOf(() => network.connect({ Container: c.id, EndpointConfig: { Aliases: ['alias-one'] } }));
      const endpoint = (await c.inspect()).NetworkSettings.Networks[`${ctx.tag}-net`];
      const members = (await network.inspect()).Containers;
      const inUse = await statusOf(() => ctx.docker.getNetwork(`${ctx.tag}-net`).remove());
      const twice = await statusOf(() => network.connect({ Container: c.id }));
      const disconnected = await statusOf(() => network.disconnect({ Container: c.id }));
      const notConnected = await statusOf(() => network.disconnect({ Container: c.id }));
      const isolated = await isolatedConnects(ctx, network);
      await networkOf(ctx, 'unused');
      const pruned = await ctx.docker.pruneNetworks({ filters: { label: [ctx.tag] } });
      return {
        shape: { endpoint, members, pruned },
        same: {
          connected, aliases: endpoint?.Aliases?.filter((a: string) => a === 'alias-one'), inUse, twice, disconnected, notConnected,
          pruned: pruned.NetworksDeleted?.sort(), notConnectedMessage: notConnected === 'ok' ? 'ok' : notConnected.message,
          missing: await statusOf(() => ctx.docker.getNetwork(`${ctx.tag}-none`).remove()),
          ...isolated,
        },
      };
    },
    kept: { notConnected: 'a client\'s mistake: 403 where dockerd 20.10 says 500 (the message is still compared)' },
  },
  {
    name: 'createVolume with labels and driver opts; inspect; list filters (dangling, label)',
    async run(ctx) {
      const created = await volumeOf(ctx, 'tmp', { Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
      await volumeOf(ctx, 'used');
      await containerOf(ctx, SLEEP, { HostConfig: { NetworkMode: 'none', Binds: [`${ctx.tag}-used:/data`] } }, false);
      const names = async (filters: Record<string, string[]>) => ((await ctx.docker.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name).sort();
      const listed = await ctx.docker.listVolumes({ filters: { name: [`${ctx.tag}-tmp`] } });
      return {
        shape: { created, listed },
        same: {
          options: created.Options, labels: created.Labels, driver: created.Driver, scope: created.Scope,
          dangling: await names({ label: [ctx.tag], dangling: ['true'] }), used: await names({ label: [ctx.tag], dangling: ['false'] }),
          byLabel: await names({ label: [`${ctx.tag}=1`] }),
          missing: await statusOf(() => ctx.docker.getVolume(`${ctx.tag}-none`).inspect()),
        },
      };
    },
  },
  {
    name: 'volume remove in use, remove missing, pruneVolumes by label',
    async run(ctx) {
      await volumeOf(ctx, 'used');
      await volumeOf(ctx, 'spare');
      await containerOf(ctx, SLEEP, { HostConfig: { NetworkMode: 'none', Binds: [`${ctx.tag}-used:/data`] } }, false);
      const inUse = await statusOf(() => ctx.docker.getVolume(`${ctx.tag}-used`).remove());
      const pruned = await ctx.docker.pruneVolumes({ filters: { label: [ctx.tag] } });
      return {
        shape: pruned,
        same: { inUse, pruned: pruned.VolumesDeleted, missing: await statusOf(() => ctx.docker.getVolume(`${ctx.tag}-none`).remove()) },
      };
    },
  },
  {
    name: 'info, version, df, ping',
    async run(ctx) {
      const df = await ctx.docker.df();
      return {
        shape: { info: await ctx.docker.info(), version: await ctx.docker.version(), dfKeys: Object.keys(df).sort() },
        same: { ping: (await ctx.docker.ping()).toString() },
      };
    },
    kept: {
      '$.info.DriverStatus': 'each storage driver has its own status lines',
      '$.info.Runtimes': 'berth runs runc only; dockerd also lists containerd\'s shims',
      '$.version.Components': 'no containerd among berth\'s components',
    },
  },
  {
    name: 'getEvents with since and until: a finished stream of the case\'s events',
    async run(ctx) {
      const since = Math.floor(Date.now() / 1000) - 1;
      const c = await containerOf(ctx, ['true']);
      await c.wait();
      await c.remove();
      // until is exclusive of the current second on neither daemon: a second later everything is in.
      await new Promise((r) => setTimeout(r, 1100));
      const until = Math.floor(Date.now() / 1000);
      const events = await jsonLines((await ctx.docker.getEvents({ since, until, filters: { label: [ctx.tag] } })) as unknown as Readable);
      return {
        shape: events,
        same: {
          actions: events.map((e) => e.Action),
          badSince: asMistake(ctx, await attempt(() => ctx.docker.getEvents({ since: 'soon', until } as unknown as Docker.GetEventsOptions))),
          reversed: await attempt(async () => jsonLines((await ctx.docker.getEvents({ since: 2_000_000_000, until: 1_000_000_000 })) as unknown as Readable)),
        },
      };
    },
  },
];

/**
 * The dockerode sweep, images: listing, inspect, history, tag, remove (and
 * their refusals), build from a tar context, import, load, save, prune and
 * search, each on berthd and dockerd 20.10 and compared.
 */
import type { Readable } from 'node:stream';
import { tarOf } from '../integration/distribution-helpers.js';
import { attempt, collect, containerOf, jsonLines, SLEEP, statusOf, type SweepCase, type SweepContext } from './dockerode-sweep.js';

const DOCKERFILE = [
  'FROM busybox AS base',
  'ARG GREETING=hello',
  'RUN echo "$GREETING" > /greeting',
  'FROM base AS final',
  'LABEL stage=final',
  'CMD ["cat", "/greeting"]',
  'FROM final AS extra',
  'RUN touch /extra',
].join('\n');

/** Builds the case's image `${tag}:built` from a small context, and removes it at the end. */
async function built(ctx: SweepContext, opts: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> {
  const context = await tarOf({ Dockerfile: DOCKERFILE, 'data.txt': 'data' });
  const stream = (await ctx.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
    t: `${ctx.tag}:built`, buildargs: { GREETING: 'bonjour' }, labels: { ...ctx.labels, 'b.second': 'two words' }, target: 'final', ...opts,
  })) as unknown as Readable;
  ctx.defer(() => ctx.docker.getImage(`${ctx.tag}:built`).remove({ force: true }));
  return jsonLines(stream);
}

/**
 * dockerd's classic builder makes a container for every step, also those that
 * only change the config (ARG, LABEL, CMD), and says so; berth commits those
 * steps without one. The lines about containers are left out of the comparison.
 */
const aboutContainers = (line: Record<string, unknown>) => typeof line.stream === 'string' && /^( ---> Running in|Removing intermediate container) /.test(line.stream);

/** What a progress line carries: its keys, and its text with the step's varying parts folded. */
function progress(line: Record<string, unknown>): unknown {
  const text = typeof line.stream === 'string' ? line.stream.replace(/[0-9a-f]{12}/g, '<id12>').replace(/ in \S+$/, '') : undefined;
  return { keys: Object.keys(line).sort(), text };
}

export const IMAGE_CASES: SweepCase[] = [
  {
    name: 'listImages: filters (reference, label, dangling) and digests',
    async run(ctx) {
      await built(ctx);
      const listed = await ctx.docker.listImages({ filters: { reference: [`${ctx.tag}:*`] }, digests: true });
      const tags = async (filters: Record<string, string[]>) => (await ctx.docker.listImages({ filters })).flatMap((i) => i.RepoTags ?? []).sort();
      return {
        shape: listed,
        same: {
          tags: await tags({ reference: [`${ctx.tag}:*`] }),
          byLabel: await tags({ label: [ctx.tag] }),
          dangling: await tags({ label: [ctx.tag], dangling: ['true'] }),
          badReference: await statusOf(() => ctx.docker.listImages({ filters: { reference: ['UPPER:*'] } })),
        },
      };
    },
  },
  {
    name: 'getImage: inspect, history, tag, remove, and their refusals',
    async run(ctx) {
      await built(ctx);
      const image = ctx.docker.getImage(`${ctx.tag}:built`);
      const missing = ctx.docker.getImage(`${ctx.tag}:missing`);
      const tagged = await statusOf(() => image.tag({ repo: `${ctx.tag}-other`, tag: 'v2' }));
      await containerOf(ctx, SLEEP, { Image: `${ctx.tag}-other:v2` }, false);
      const history = await image.history();
      const inspected = await image.inspect();
      return {
        shape: { inspect: inspected, history },
        same: {
          tagged, env: inspected.Config.Env, parent: Boolean(inspected.Parent),
          history: history.map((h: { CreatedBy: string; Tags: unknown }) => [h.CreatedBy.replace(/\s+/g, ' '), h.Tags]),
          untagged: await attempt(() => ctx.docker.getImage(`${ctx.tag}-other:v2`).remove()),
          inUse: await statusOf(() => ctx.docker.getImage(`${ctx.tag}:built`).remove()),
          inspectMissing: await statusOf(() => missing.inspect()),
          historyMissing: await statusOf(() => missing.history()),
          tagMissing: await statusOf(() => missing.tag({ repo: `${ctx.tag}-x` })),
          removeMissing: await statusOf(() => missing.remove()),
          badTag: await statusOf(() => image.tag({ repo: 'UPPER' })),
        },
      };
    },
    kept: { badTag: 'a client\'s mistake: 400, not 500, and the newer reference library\'s words, which name the repository' },
  },
  {
    name: 'buildImage: tags, buildargs, labels, target, and the progress stream',
    async run(ctx) {
      const lines = await built(ctx);
      const image = await ctx.docker.getImage(`${ctx.tag}:built`).inspect();
      const failed = await jsonLines((await ctx.docker.buildImage(await tarOf({ Dockerfile: 'FROM busybox\nRUN exit 3' }) as unknown as NodeJS.ReadableStream, { t: `${ctx.tag}:failed` })) as unknown as Readable);
      return {
        same: {
          progress: lines.filter((l) => !aboutContainers(l)).map(progress),
          labels: image.Config.Labels, cmd: image.Config.Cmd,
          failed: failed.map(progress).slice(-1).concat(failed.filter((l) => l.error).map((l) => [l.error, l.errorDetail])),
          noTarget: await attempt(async () => jsonLines((await ctx.docker.buildImage(await tarOf({ Dockerfile: 'FROM busybox' }) as unknown as NodeJS.ReadableStream, { target: 'nope' })) as unknown as Readable)),
        },
      };
    },
  },
  {
    name: 'importImage of a rootfs tar, loadImage of a saved image, getImage().get',
    async run(ctx) {
      const imported = await jsonLines((await ctx.docker.importImage(await tarOf({ 'hello.txt': 'hi' }) as unknown as string, { repo: ctx.tag, tag: 'imported' })) as unknown as Readable);
      ctx.defer(() => ctx.docker.getImage(`${ctx.tag}:imported`).remove({ force: true }));
      const saved = await collect((await ctx.docker.getImage(`${ctx.tag}:imported`).get()) as unknown as Readable);
      await ctx.docker.getImage(`${ctx.tag}:imported`).remove();
      const loaded = await jsonLines((await ctx.docker.loadImage(saved as unknown as string)) as unknown as Readable);
      // Not a tar: a 200 whose stream carries the error. The words differ (dockerd's come from its
      // re-executed untar: "Error processing tar file(exit status 1): unexpected EOF"), the shape must not.
      const loadGarbage = await attempt(async () => jsonLines((await ctx.docker.loadImage(Buffer.from('not a tar') as unknown as string)) as unknown as Readable));
      return {
        shape: { imported, loaded, loadGarbage },
        same: {
          loaded, history: (await ctx.docker.getImage(`${ctx.tag}:imported`).history()).map((h: { CreatedBy: string; Comment: string }) => [h.CreatedBy, h.Comment]),
          saveMissing: await statusOf(() => ctx.docker.getImage(`${ctx.tag}:missing`).get()),
        },
      };
    },
  },
  {
    name: 'pruneImages by label, dangling and not',
    async run(ctx) {
      await built(ctx);
      const dangling = await ctx.docker.pruneImages({ filters: { label: [ctx.tag] } });
      const all = await ctx.docker.pruneImages({ filters: { label: [ctx.tag], dangling: ['false'] } });
      const deleted = (all.ImagesDeleted ?? []) as { Untagged?: string; Deleted?: string }[];
      return { shape: { dangling, all: { ...all, ImagesDeleted: [] } }, same: { dangling, deleted: deleted.map((d) => Object.keys(d)), tags: deleted.filter((d) => d.Untagged).map((d) => d.Untagged) } };
    },
  },
  {
    name: 'searchImages on a registry that is not there',
    async run(ctx) {
      // Port 1 on loopback: nothing listens there.
      const refused = await attempt(() => ctx.docker.searchImages({ term: '127.0.0.1:1/busybox' }));
      return { same: 'ok' in refused ? refused : { status: refused.status, refused: /connection refused/.test(refused.message) } };
    },
  },
];

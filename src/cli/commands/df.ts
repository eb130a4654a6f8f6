/** `berth system df [-v]`. */
import type { DiskUsage, ImageSummary } from '../../client/types.js';
import { write, type CommandSpec } from '../command.js';
import { isTableFormat, renderRows, TABLE_KEY } from '../format/formatter.js';
import { compileTemplate, goStruct } from '../format/template.js';
import { finalTemplate } from '../format/formatter.js';
import { humanSize } from '../format/units.js';
import { formatFlag } from './common.js';
import { BUILD_CACHE_HEADERS, buildCacheRow, CONTAINER_HEADERS, containerRow, volumeRow, VOLUME_HEADERS } from './df-rows.js';
import { IMAGE_HEADERS, imageRows, isDangling } from './image-rows.js';

const SUMMARY_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const IMAGE_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUME_TABLE = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const BUILD_CACHE_TABLE = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';

function withPercent(reclaimable: number, total: number): string {
  return total > 0 ? `${humanSize(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize(reclaimable);
}

const SUMMARY_TYPES: Record<string, string> = {
  Images: '*formatter.diskUsageImagesContext',
  Containers: '*formatter.diskUsageContainersContext',
  'Local Volumes': '*formatter.diskUsageVolumesContext',
  'Build Cache': '*formatter.diskUsageBuilderContext',
};

function summaryRow(type: string, total: number, active: number, size: number, reclaimable: string) {
  return goStruct({ Active: String(active), Reclaimable: reclaimable, Size: humanSize(size), TotalCount: String(total), Type: type }, SUMMARY_TYPES[type]);
}

const isActiveState = (state: string) => ['running', 'paused', 'restarting'].some((s) => state.includes(s));

/** The four summary rows, with docker's arithmetic for "active" and "reclaimable". */
function summaryRows(du: DiskUsage) {
  const images = du.Images ?? [];
  const usedByContainers = images
    .filter((i) => i.Containers > 0 && i.Size !== -1 && i.SharedSize !== -1)
    .reduce((sum, i) => sum + i.Size - i.SharedSize, 0);
  const containers = du.Containers ?? [];
  const containersSize = containers.reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
  const containersReclaimable = containers.filter((c) => !isActiveState(c.State)).reduce((sum, c) => sum + (c.SizeRw ?? 0), 0);
  const volumes = du.Volumes ?? [];
  const volumeSize = (v: (typeof volumes)[number]) => (v.UsageData && v.UsageData.Size !== -1 ? v.UsageData.Size : 0);
  const volumesSize = volumes.reduce((sum, v) => sum + volumeSize(v), 0);
  const volumesReclaimable = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((sum, v) => sum + volumeSize(v), 0);
  const cache = du.BuildCache ?? [];
  const cacheSize = cache.filter((b) => !b.Shared).reduce((sum, b) => sum + b.Size, 0);
  const cacheReclaimable = cache.filter((b) => !b.Shared && !b.InUse).reduce((sum, b) => sum + b.Size, 0);
  return [
    summaryRow('Images', images.length, images.filter((i) => i.Containers > 0).length, du.LayersSize, withPercent(du.LayersSize - usedByContainers, du.LayersSize)),
    summaryRow('Containers', containers.length, containers.filter((c) => isActiveState(c.State)).length, containersSize, withPercent(containersReclaimable, containersSize)),
    summaryRow('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, volumesSize, withPercent(volumesReclaimable, volumesSize)),
    summaryRow('Build Cache', cache.length, cache.filter((b) => b.InUse).length, cacheSize, humanSize(cacheReclaimable)),
  ];
}

/** Only an image's first tag is shown, and no digest column value (docker leaves it empty). */
function verboseImageRow(image: ImageSummary, trunc: boolean) {
  const firstTag = isDangling(image) ? [] : (image.RepoTags ?? []).slice(0, 1);
  const row = imageRows({ ...image, RepoTags: firstTag, RepoDigests: [] }, { trunc, digests: false })[0];
  row.Digest = '';
  return row;
}

function verboseData(du: DiskUsage, trunc: boolean) {
  return goStruct({
    Images: (du.Images ?? []).map((i) => verboseImageRow(i, trunc)),
    Containers: (du.Containers ?? []).map((c) => containerRow(c, trunc)),
    Volumes: (du.Volumes ?? []).map(volumeRow),
    BuildCache: (du.BuildCache ?? []).map((b) => buildCacheRow(b, trunc)),
  }, '*formatter.diskUsageContext');
}

function verboseTable(du: DiskUsage): string {
  const data = verboseData(du, true);
  const cacheTotal = (du.BuildCache ?? []).filter((b) => !b.Shared).reduce((sum, b) => sum + b.Size, 0);
  return (
    'Images space usage:\n\n' +
    renderRows(IMAGE_TABLE, data.Images, IMAGE_HEADERS) +
    '\nContainers space usage:\n\n' +
    renderRows(CONTAINER_TABLE, data.Containers, CONTAINER_HEADERS) +
    '\nLocal Volumes space usage:\n\n' +
    renderRows(VOLUME_TABLE, data.Volumes, VOLUME_HEADERS) +
    `\nBuild cache usage: ${humanSize(cacheTotal)}\n\n` +
    renderRows(BUILD_CACHE_TABLE, data.BuildCache, BUILD_CACHE_HEADERS)
  );
}

export const dfCommand: CommandSpec = {
  path: 'system df',
  aliases: ['system df'],
  usage: '[OPTIONS]',
  short: 'Show berth disk usage',
  args: { kind: 'none' },
  flags: [formatFlag(), { long: 'verbose', short: 'v', type: 'bool', usage: 'Show detailed information on space usage' }],
  async run(ctx, { flags }) {
    const client = await ctx.client();
    const du = await client.systemDf();
    const format = (flags.format as string) || TABLE_KEY;
    let output: string;
    if (!flags.verbose) output = renderRows(format === TABLE_KEY ? SUMMARY_TABLE : format, summaryRows(du), SUMMARY_HEADERS);
    else if (format === TABLE_KEY) output = verboseTable(du);
    else output = compileTemplate(finalTemplate(format)).execute(verboseData(du, isTableFormat(format)));
    await write(ctx.stdout, output);
    return 0;
  },
};

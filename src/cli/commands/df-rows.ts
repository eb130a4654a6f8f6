/** Row contexts of `system df -v` for containers, volumes and build cache, as docker computes them. */
import type { BuildCacheRecord, ContainerSummary, VolumeSummary } from '../../client/types.js';
import { goStruct } from '../format/template.js';
import { humanDuration, humanSize, humanSizeWithPrecision, sinceUnix } from '../format/units.js';
import { ellipsis, truncateId } from './common.js';

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  LocalVolumes: 'LOCAL VOLUMES',
  Size: 'SIZE',
  RunningFor: 'CREATED',
  Status: 'STATUS',
  Names: 'NAMES',
};
export const VOLUME_HEADERS: Record<string, string> = { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' };
export const BUILD_CACHE_HEADERS: Record<string, string> = {
  ID: 'CACHE ID',
  CacheType: 'CACHE TYPE',
  Size: 'SIZE',
  CreatedSince: 'CREATED',
  LastUsedSince: 'LAST USED',
  UsageCount: 'USAGE',
  Shared: 'SHARED',
};

/** Go's strconv.Quote for the ASCII text commands usually are. */
function goQuote(text: string): string {
  return JSON.stringify(text);
}

export function containerRow(c: ContainerSummary, trunc: boolean) {
  const command = trunc ? ellipsis(c.Command, 20) : c.Command;
  const names = (c.Names ?? []).map((n) => n.replace(/^\//, '')).filter((n) => !n.includes('/'));
  return goStruct(
    {
      Command: goQuote(command),
      ID: trunc ? truncateId(c.Id) : c.Id,
      Image: trunc && c.Image.startsWith('sha256:') ? truncateId(c.Image) : c.Image,
      LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
      Names: names.join(','),
      RunningFor: sinceUnix(c.Created),
      Size: humanSizeWithPrecision(c.SizeRw ?? 0, 3),
      Status: c.Status,
    },
    '*formatter.ContainerContext',
  );
}

export function volumeRow(v: VolumeSummary) {
  const usage = v.UsageData;
  return goStruct(
    {
      Links: usage ? String(usage.RefCount) : 'N/A',
      Name: v.Name,
      Size: usage && usage.Size !== -1 ? humanSize(usage.Size) : 'N/A',
    },
    '*formatter.volumeContext',
  );
}

function sinceIso(iso: string | null | undefined): string {
  if (!iso) return '';
  return `${humanDuration(Date.now() - Date.parse(iso))} ago`;
}

export function buildCacheRow(b: BuildCacheRecord, trunc: boolean) {
  let id = trunc ? b.ID.slice(0, 12) : b.ID;
  if (b.InUse) id += '*';
  return goStruct(
    {
      CacheType: b.Type,
      CreatedSince: sinceIso(b.CreatedAt),
      ID: id,
      LastUsedSince: sinceIso(b.LastUsedAt),
      Shared: String(b.Shared),
      Size: humanSizeWithPrecision(b.Size, 3),
      UsageCount: String(b.UsageCount),
    },
    '*formatter.buildCacheContext',
  );
}

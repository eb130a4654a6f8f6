/**
 * docker's image list formatter: one row per (repository, tag[, digest]) of
 * each image, `<none>` for what is missing, and the cell values docker
 * computes (truncated IDs, `1.98MB`, `2 hours ago`).
 */
import { familiarRepoDigest, familiarRepoTag } from '../../client/reference.js';
import type { ImageSummary } from '../../client/types.js';
import { goStruct } from '../format/template.js';
import { goTimeString, humanSize, humanSizeWithPrecision, sinceUnix } from '../format/units.js';
import { truncateId } from './common.js';

const NONE = '<none>';

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

export interface ImageRowOptions {
  trunc: boolean;
  digests: boolean;
  now?: number;
}

/** Keys in sorted order so `{{json .}}` matches docker's map-based JSON. */
function imageRow(image: ImageSummary, repo: string, tag: string, digest: string, options: ImageRowOptions) {
  const na = (n: number, render: (n: number) => string) => (n === -1 ? 'N/A' : render(n));
  const shared = image.SharedSize ?? -1;
  return goStruct(
    {
      Containers: na(image.Containers ?? -1, String),
      CreatedAt: goTimeString(image.Created),
      CreatedSince: sinceUnix(image.Created, options.now),
      Digest: digest,
      ID: options.trunc ? truncateId(image.Id) : image.Id,
      Repository: repo,
      SharedSize: na(shared, humanSize),
      Size: humanSizeWithPrecision(image.Size, 3),
      Tag: tag,
      UniqueSize: shared === -1 ? 'N/A' : humanSize(image.Size - shared),
      VirtualSize: humanSize(image.VirtualSize ?? image.Size),
    },
    '*formatter.imageContext',
  );
}

export function isDangling(image: ImageSummary): boolean {
  const tags = image.RepoTags ?? [];
  const digests = image.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

function groupBy<T>(items: Array<{ repo: string; value: T } | undefined>): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    if (!item) continue;
    const list = groups.get(item.repo) ?? [];
    list.push(item.value);
    groups.set(item.repo, list);
  }
  return groups;
}

/**
 * Expands one image into rows. Go iterates a map here, so docker's order of
 * repositories varies run to run; berth sorts them to be deterministic.
 */
export function imageRows(image: ImageSummary, options: ImageRowOptions) {
  if (isDangling(image)) return [imageRow(image, NONE, NONE, NONE, options)];
  const tags = groupBy((image.RepoTags ?? []).map((t) => familiarRepoTag(t)).map((r) => r && { repo: r.repo, value: r.tag }));
  const digests = groupBy((image.RepoDigests ?? []).map((d) => familiarRepoDigest(d)).map((r) => r && { repo: r.repo, value: r.digest }));
  const rows = [];
  for (const repo of [...tags.keys()].sort()) {
    const repoDigests = options.digests ? (digests.get(repo) ?? []) : [];
    digests.delete(repo);
    for (const tag of tags.get(repo)!) {
      if (repoDigests.length === 0) rows.push(imageRow(image, repo, tag, NONE, options));
      else for (const digest of repoDigests) rows.push(imageRow(image, repo, tag, digest, options));
    }
  }
  for (const repo of [...digests.keys()].sort()) {
    if (options.digests) for (const digest of digests.get(repo)!) rows.push(imageRow(image, repo, NONE, digest, options));
    else rows.push(imageRow(image, repo, NONE, NONE, options));
  }
  if (rows.length === 0) rows.push(imageRow(image, NONE, NONE, NONE, options));
  return rows;
}

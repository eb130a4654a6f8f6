/**
 * `berth registry gc`: mark and sweep, as distribution's garbage collector.
 * Mark: every manifest of every repository (with --delete-untagged, only
 * those a tag reaches, directly or through an index, and their referrers),
 * plus the config and layers each one names. Sweep: every stored blob not
 * marked. Safe while nothing is pushing: a blob uploaded for a manifest not
 * yet pushed is unreferenced and would be removed.
 */
import type { Digest } from '../lib/digest.js';
import { parseManifest } from './manifest.js';
import { Registry } from './registry.js';

export interface GcOptions {
  dryRun: boolean;
  deleteUntagged: boolean;
  log: (line: string) => void;
}

export interface GcReport {
  blobs: Digest[];
  bytes: number;
  /** repository@digest of manifests removed (with --delete-untagged). */
  manifests: string[];
  kept: number;
}

export async function collectGarbage(root: string, options: GcOptions): Promise<GcReport> {
  const registry = await Registry.open({ root, deleteEnabled: true });
  const marked = new Set<Digest>();
  const report: GcReport = { blobs: [], bytes: 0, manifests: [], kept: 0 };
  for (const name of await registry.repos.list()) {
    const keep = options.deleteUntagged ? await reachable(registry, name) : new Set(await registry.repos.manifests(name));
    for (const digest of await registry.repos.manifests(name)) {
      if (keep.has(digest)) {
        await markManifest(registry, name, digest, marked);
      } else {
        report.manifests.push(`${name}@${digest}`);
        options.log(`manifest eligible for deletion: ${name}@${digest}`);
        if (!options.dryRun) await registry.deleteManifest(name, { digest });
      }
    }
  }
  for (const digest of await registry.blobs.list()) {
    if (marked.has(digest)) {
      report.kept++;
      continue;
    }
    report.blobs.push(digest);
    report.bytes += (await registry.blobs.size(digest)) ?? 0;
    options.log(`blob eligible for deletion: ${digest}`);
    if (!options.dryRun) await registry.blobs.delete(digest);
  }
  if (!options.dryRun) await unlinkMissing(registry, new Set(report.blobs));
  return report;
}

async function markManifest(registry: Registry, name: string, digest: Digest, marked: Set<Digest>): Promise<void> {
  marked.add(digest);
  const stored = await registry.getManifest(name, { digest });
  const manifest = parseManifest(stored.bytes, stored.mediaType);
  for (const d of [...(manifest.config ? [manifest.config] : []), ...manifest.layers]) marked.add(d.digest);
}

/** Manifests a tag reaches, through indexes, plus the referrers of those. */
async function reachable(registry: Registry, name: string): Promise<Set<Digest>> {
  const seen = new Set<Digest>();
  const queue = [...new Set((await registry.repos.tagMap(name)).values())];
  while (queue.length > 0) {
    const digest = queue.pop()!;
    if (seen.has(digest) || (await registry.repos.manifestMediaType(name, digest)) === undefined) continue;
    seen.add(digest);
    const stored = await registry.getManifest(name, { digest });
    queue.push(...parseManifest(stored.bytes, stored.mediaType).manifests.map((d) => d.digest));
    queue.push(...(await registry.repos.referrers(name, digest)).map((d) => d.digest));
  }
  return seen;
}

/** Drops repository links to blobs that are gone, so HEAD answers 404 rather than a dangling link. */
async function unlinkMissing(registry: Registry, removed: Set<Digest>): Promise<void> {
  for (const name of await registry.repos.list()) {
    for (const digest of await registry.repos.linkedBlobs(name)) {
      if (removed.has(digest)) await registry.repos.unlinkBlob(name, digest);
    }
  }
}

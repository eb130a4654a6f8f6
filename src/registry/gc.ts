/**
 * Garbage collection, as distribution's mark and sweep. Mark: every manifest
 * of every repository (with deleteUntagged, only those a tag reaches,
 * directly or through an index, and their referrers), plus the config and
 * layers each one names. Sweep: every stored blob not marked.
 *
 * A push in flight has blobs no manifest names yet (the manifest comes
 * last). With a grace period (the console's runs, in the live registry), a
 * blob is kept when its file or any repository's link to it was written
 * within the period, or when a push used it lately (Registry.recent, which
 * also catches uses during the run: it is checked again just before each
 * removal), and so is an untagged manifest pushed within the period (an
 * index's children come before the index). Uploads not yet committed are
 * not blobs, so never candidates.
 * `berth registry gc` runs without a grace period and is safe only while
 * nothing is pushing, as distribution's is.
 */
import { stat } from 'node:fs/promises';
import type { Digest } from '../lib/digest.js';
import { parseManifest } from './manifest.js';
import type { Registry } from './registry.js';

export interface GcOptions {
  dryRun: boolean;
  deleteUntagged: boolean;
  log: (line: string) => void;
  /** Keep blobs stored, linked or used within this many ms (0: none). */
  graceMs?: number;
  now?: number;
}

export interface GcReport {
  blobs: Digest[];
  bytes: number;
  /** repository@digest of manifests removed (with deleteUntagged). */
  manifests: string[];
  kept: number;
}

export async function collectGarbage(registry: Registry, options: GcOptions): Promise<GcReport> {
  const started = options.now ?? Date.now();
  const since = started - (options.graceMs ?? 0);
  const marked = new Set<Digest>();
  const report: GcReport = { blobs: [], bytes: 0, manifests: [], kept: 0 };
  for (const name of await registry.repos.list()) {
    const keep = options.deleteUntagged ? await reachable(registry, name) : new Set(await registry.repos.manifests(name));
    for (const digest of await registry.repos.manifests(name)) {
      // An untagged manifest pushed lately may be an index's child whose index is still to come.
      if (keep.has(digest) || (options.graceMs && (await modifiedSince(registry.layout.revision(name, digest), since)))) {
        await markManifest(registry, name, digest, marked);
      } else {
        report.manifests.push(`${name}@${digest}`);
        options.log(`manifest eligible for deletion: ${name}@${digest}`);
        if (!options.dryRun) await registry.removeManifest(name, digest);
      }
    }
  }
  const young = options.graceMs ? await recentlyLinked(registry, since) : undefined;
  /** Whether a push may be about to name the blob (only with a grace period). */
  const mayBeInFlight = async (digest: Digest) =>
    young !== undefined && (young.has(digest) || registry.recent.usedSince(digest, since) || (await modifiedSince(registry.layout.blob(digest), since)));
  for (const digest of await registry.blobs.list()) {
    if (marked.has(digest) || (await mayBeInFlight(digest))) {
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

/** Blobs some repository linked (an upload or mount wrote the link) at or after `since`. */
async function recentlyLinked(registry: Registry, since: number): Promise<Set<Digest>> {
  const out = new Set<Digest>();
  for (const name of await registry.repos.list(true)) {
    for (const digest of await registry.repos.linkedBlobs(name)) {
      if (await modifiedSince(registry.layout.layerLink(name, digest), since)) out.add(digest);
    }
  }
  return out;
}

async function modifiedSince(path: string, since: number): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && st.mtimeMs >= since;
}

/** Drops repository links to blobs that are gone, so HEAD answers 404 rather than a dangling link. */
async function unlinkMissing(registry: Registry, removed: Set<Digest>): Promise<void> {
  for (const name of await registry.repos.list(true)) {
    for (const digest of await registry.repos.linkedBlobs(name)) {
      if (removed.has(digest)) await registry.repos.unlinkBlob(name, digest);
    }
  }
}

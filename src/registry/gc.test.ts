import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256, type Digest } from '../lib/digest.js';
import { collectGarbage } from './gc.js';
import { Registry } from './registry.js';

const HOUR = 3600 * 1000;

/** A registry in a temp dir with blobs linked into repo "p/app", each made to look `ageMs` old (file and link). */
async function withBlobs(ages: number[], fn: (registry: Registry, digests: Digest[]) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-reg-gc-'));
  try {
    const registry = await Registry.open({ root, deleteEnabled: false });
    const digests: Digest[] = [];
    for (const [i, age] of ages.entries()) {
      const digest = await registry.blobs.putBytes(Buffer.from(`blob ${i}`));
      await registry.repos.linkBlob('p/app', digest);
      const then = new Date(Date.now() - age);
      await utimes(registry.layout.blob(digest), then, then);
      await utimes(registry.layout.layerLink('p/app', digest), then, then);
      digests.push(digest);
    }
    await fn(registry, digests);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const run = (registry: Registry, graceMs?: number) => collectGarbage(registry, { dryRun: false, deleteUntagged: false, graceMs, log: () => undefined });

describe('registry gc grace period', () => {
  it('without one removes every unreferenced blob (the offline `berth registry gc`)', () =>
    withBlobs([2 * HOUR, 0], async (registry, [old, young]) => {
      const report = await run(registry);
      assert.deepEqual(report.blobs.sort(), [old, young].sort());
    }));

  it('with one keeps blobs stored or linked within it, and removes older ones', () =>
    withBlobs([2 * HOUR, 0], async (registry, [old, young]) => {
      const report = await run(registry, HOUR);
      assert.deepEqual(report.blobs, [old]);
      assert.equal(report.kept, 1);
      assert.equal(await registry.blobs.size(old), undefined);
      assert.notEqual(await registry.blobs.size(young), undefined);
      assert.equal(await registry.repos.hasBlob('p/app', old), false, 'the dangling link goes too');
    }));

  it('keeps an old blob a push just checked for (it will name it without uploading it)', () =>
    withBlobs([2 * HOUR, 3 * HOUR], async (registry, [checked, other]) => {
      assert.ok((await registry.blobSize('p/app', checked)) > 0);
      const report = await run(registry, HOUR);
      assert.deepEqual(report.blobs, [other]);
    }));
});

describe('registry gc of untagged manifests', () => {
  it('tells manifestRemoved of each manifest it removes (the console drops its pull time), and not of a kept one', () =>
    withBlobs([2 * HOUR, 2 * HOUR], async (registry, [config, layer]) => {
      const manifest = (size: number) => Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 8 },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size }],
      }));
      const tagged = await registry.putManifest('p/app', { tag: 'v1' }, manifest(8), 'application/vnd.oci.image.manifest.v1+json');
      const loose = manifest(9);
      const untagged = await registry.putManifest('p/app', { digest: sha256(loose) }, loose, 'application/vnd.oci.image.manifest.v1+json');
      const removed: string[] = [];
      registry.manifestRemoved = (name, digest) => removed.push(`${name}@${digest}`);
      const report = await collectGarbage(registry, { dryRun: false, deleteUntagged: true, graceMs: 0, log: () => undefined });
      assert.deepEqual(report.manifests, [`p/app@${untagged.digest}`]);
      assert.deepEqual(removed, [`p/app@${untagged.digest}`]);
      assert.notEqual(tagged.digest, untagged.digest);
    }));
});

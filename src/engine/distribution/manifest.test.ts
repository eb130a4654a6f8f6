import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest, parsePlatform, selectPlatform, MediaType, type ManifestIndex } from './manifest.js';
import { progressBar } from './progress.js';

const D = (c: string): `sha256:${string}` => `sha256:${c.repeat(64)}`;

test('parses Docker and OCI manifests and refuses what a pull cannot use', () => {
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, digest: D('a'), size: 10 },
    layers: [{ mediaType: MediaType.dockerLayerGzip, digest: D('b'), size: 20 }],
  }));
  const parsed = parseManifest(manifest, '', 'x');
  assert.equal(parsed.kind, 'image');
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}'), '', 'x'), /schema 1 are not supported/);
  assert.throws(() => parseManifest(Buffer.from('not json'), '', 'x'), /failed to parse manifest for x/);
  const badLayer = JSON.stringify({ schemaVersion: 2, config: { digest: D('a'), size: 1 }, layers: [{ mediaType: 'text/plain', digest: D('b'), size: 1 }] });
  assert.throws(() => parseManifest(Buffer.from(badLayer), MediaType.ociManifest, 'x'), /unsupported layer media type text\/plain/);
  const badDigest = JSON.stringify({ schemaVersion: 2, config: { digest: 'md5:abc', size: 1 }, layers: [] });
  assert.throws(() => parseManifest(Buffer.from(badDigest), MediaType.ociManifest, 'x'), /no valid sha256 digest/);
});

test('selects a platform from an index as dockerd does (arm64 means arm64/v8)', () => {
  const index: ManifestIndex = {
    kind: 'index',
    manifests: [
      { mediaType: MediaType.ociManifest, digest: D('1'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: MediaType.ociManifest, digest: D('2'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: MediaType.ociManifest, digest: D('3'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  };
  assert.equal(selectPlatform(index, parsePlatform('linux/amd64')).digest, D('3'));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm64')).digest, D('2'));
  assert.equal(selectPlatform(index, parsePlatform('linux/arm/v7')).digest, D('1'));
  assert.equal(selectPlatform(index, parsePlatform('x86_64')).digest, D('3'));
  assert.throws(() => selectPlatform(index, parsePlatform('linux/s390x')), /no matching manifest for linux\/s390x in the manifest list entries/);
  assert.throws(() => parsePlatform('linux//amd64'), /"" is an invalid component of "linux\/\/amd64"/);
});

test('progress bars as jsonmessage draws them', () => {
  assert.equal(progressBar(0, 0), '');
  assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(25)}]      50B/100B`);
  assert.equal(progressBar(1_500_000, 3_000_000), `[${'='.repeat(25)}>${' '.repeat(25)}]    1.5MB/3MB`);
});

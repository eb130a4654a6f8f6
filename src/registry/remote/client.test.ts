import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { sha256 } from '../../lib/digest.js';
import { RemoteError, RemoteRegistry } from './client.js';
import { startLocalRegistry, storeImage, TEST_USER, type LocalRegistry } from './testing.js';

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

for (const auth of ['none', 'basic', 'token'] as const) {
  describe(`RemoteRegistry against a berth registry (${auth} auth)`, () => {
    let local: LocalRegistry;
    let client: RemoteRegistry;
    before(async () => {
      local = await startLocalRegistry(auth);
      client = new RemoteRegistry({ url: local.url, ...(auth === 'none' ? {} : { username: TEST_USER.user, password: TEST_USER.password }) });
    });
    after(() => local?.close());

    it('reads manifests by tag and digest, and blobs', async () => {
      const image = await storeImage(local.registry, 'library/app', 'v1', 'layer one');
      const byTag = await client.manifest('library/app', 'v1');
      assert.equal(byTag?.digest, image.digest);
      assert.equal(byTag?.mediaType, 'application/vnd.oci.image.manifest.v1+json');
      assert.equal((await client.manifest('library/app', image.digest))?.digest, image.digest);
      assert.equal(await client.manifestDigest('library/app', 'v1'), image.digest);
      assert.equal(await client.manifest('library/app', 'nope'), undefined);
      const blob = await client.blob('library/app', image.layer.digest);
      assert.equal(blob?.size, image.layer.size);
      assert.equal(await text(blob!.stream), 'layer one');
      assert.equal(await client.blobSize('library/app', image.layer.digest), image.layer.size);
      assert.equal(await client.blobSize('library/app', sha256('absent')), undefined);
    });

    it('pushes blobs (uploads, then mounts) and manifests', async () => {
      const data = Buffer.from(`pushed over ${auth}`);
      const digest = sha256(data);
      assert.equal(await client.pushBlob('library/pushed', digest, data.length, () => Readable.from([data])), 'uploaded');
      assert.equal(await client.pushBlob('library/mounted', digest, data.length, () => Readable.from([data]), 'library/pushed'), 'mounted');
      assert.equal(await local.registry.repos.hasBlob('library/mounted', digest), true);
      const image = await storeImage(local.registry, 'library/src', 'v1', 'for a manifest push');
      for (const b of [image.config, image.layer]) await local.registry.repos.linkBlob('library/pushed', b.digest);
      await client.putManifest('library/pushed', 'v2', { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: image.manifest });
      assert.equal(await local.registry.repos.resolveTag('library/pushed', 'v2'), image.digest);
    });

    it('reports a refused upload with the registry’s error', async () => {
      const data = Buffer.from('wrong digest');
      const err = await client.pushBlob('library/bad', sha256('other'), data.length, () => Readable.from([data])).catch((e: unknown) => e);
      assert.ok(err instanceof RemoteError);
      assert.equal(err.status, 400);
      assert.match(err.message, /DIGEST_INVALID/);
    });
  });
}

describe('RemoteRegistry with wrong credentials', () => {
  it('fails with 401 rather than pretending the content is absent', async () => {
    const local = await startLocalRegistry('token');
    try {
      await storeImage(local.registry, 'library/app', 'v1', 'x');
      const client = new RemoteRegistry({ url: local.url, username: TEST_USER.user, password: 'wrong' });
      await assert.rejects(client.manifest('library/app', 'v1'), (err: RemoteError) => err.status === 401);
    } finally {
      await local.close();
    }
  });
});

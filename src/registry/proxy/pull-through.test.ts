import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteRegistry } from '../remote/client.js';
import { startLocalRegistry, storeImage, TEST_USER, type LocalRegistry } from '../remote/testing.js';
import { PullThrough } from './pull-through.js';

describe('PullThrough', () => {
  let upstream: LocalRegistry;
  const proxies: Record<'fresh' | 'cached', LocalRegistry> = {} as never;
  const logs: string[] = [];
  const via = (which: 'fresh' | 'cached') => new RemoteRegistry({ url: proxies[which].url });

  before(async () => {
    upstream = await startLocalRegistry('token');
    for (const [which, ttl] of [['fresh', 0], ['cached', 3600]] as const) {
      const cache = new PullThrough(new RemoteRegistry({ url: upstream.url, username: TEST_USER.user, password: TEST_USER.password }), ttl * 1000, (m) => logs.push(m));
      proxies[which] = await startLocalRegistry('none', { proxy: (name) => ({ cache, upstreamName: `library/${name}` }) });
    }
  });
  after(async () => {
    await proxies.fresh?.close();
    await proxies.cached?.close();
    await upstream?.close();
  });

  it('fetches a miss from the upstream (under its upstream name) and keeps it', async () => {
    const image = await storeImage(upstream.registry, 'library/app', 'v1', 'first');
    for (const which of ['fresh', 'cached'] as const) {
      assert.equal((await via(which).manifest('app', 'v1'))?.digest, image.digest);
      const blob = await via(which).blob('app', image.layer.digest);
      assert.ok(blob);
      blob.stream.resume();
      await new Promise((r) => blob.stream.once('end', r));
    }
    assert.equal(await proxies.cached.registry.repos.resolveTag('app', 'v1'), image.digest);
  });

  it('answers a HEAD for a blob it lacks from the upstream, without fetching it', async () => {
    const image = await storeImage(upstream.registry, 'library/head', 'v1', 'only asked about');
    assert.equal(await via('fresh').blobSize('head', image.layer.digest), image.layer.size);
    assert.equal(await proxies.fresh.registry.blobs.size(image.layer.digest), undefined);
  });

  it('follows a moved tag once its check is older than the TTL', async () => {
    const moved = await storeImage(upstream.registry, 'library/app', 'v1', 'second');
    const old = await proxies.cached.registry.repos.resolveTag('app', 'v1');
    assert.notEqual(old, moved.digest);
    assert.equal((await via('fresh').manifest('app', 'v1'))?.digest, moved.digest);
    assert.equal((await via('cached').manifest('app', 'v1'))?.digest, old, 'within the TTL the cached tag stands');
  });

  it('serves what it has when the upstream is gone, and 404 for what it has not', async () => {
    const tagged = await proxies.fresh.registry.repos.resolveTag('app', 'v1');
    await upstream.close();
    assert.equal((await via('fresh').manifest('app', 'v1'))?.digest, tagged);
    assert.equal(await via('fresh').manifest('app', 'never-fetched'), undefined);
    assert.ok(logs.some((l) => /serving the cached copy/.test(l)), logs.join('\n'));
  });
});

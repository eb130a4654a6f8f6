import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Digest } from '../../lib/digest.js';
import type { ContentStore } from '../content/types.js';
import { RegistryAccess } from './access.js';
import { downloadLayer } from './download.js';
import { EndpointResolver } from './endpoints.js';
import { ItemProgress } from './progress.js';
import { closeIdleConnections } from './transport.js';

const digestOf = (b: Buffer): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Just enough of a content store: verified writes kept in memory. */
function memoryStore(): ContentStore & { blobs: Map<string, Buffer> } {
  const blobs = new Map<string, Buffer>();
  return {
    blobs,
    async write(data, expected) {
      const chunks: Buffer[] = [];
      for await (const chunk of data as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
      const bytes = Buffer.concat(chunks);
      const digest = digestOf(bytes);
      if (expected && digest !== expected) throw new Error(`digest mismatch: expected ${expected}, got ${digest}`);
      blobs.set(digest, bytes);
      return { digest, size: bytes.length };
    },
    has: async (d) => blobs.has(d),
    size: async (d) => blobs.get(d)!.length,
    read: async (d) => blobs.get(d)!,
    open: () => { throw new Error('not used'); },
    path: () => '',
    delete: async (d) => void blobs.delete(d),
    list: async () => [...blobs.keys()] as Digest[],
  };
}

const servers: Server[] = [];
after(() => {
  closeIdleConnections();
  for (const s of servers) s.close();
});

test('a connection that breaks mid-blob is retried; a wrong blob is refused and nothing is kept', async () => {
  const tar = randomBytes(64 * 1024);
  const blob = gzipSync(tar);
  let gets = 0;
  let serve = blob;
  const server = createServer((req, res) => {
    if (req.url === '/v2/') return res.writeHead(200).end();
    gets++;
    res.writeHead(200, { 'Content-Length': serve.length });
    // The first answer stops halfway and the connection is cut.
    if (gets === 1) return res.write(serve.subarray(0, 100), () => res.socket?.destroy());
    res.end(serve);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const resolver = new EndpointResolver({ mirrors: [], insecureRegistries: [], maxConcurrentDownloads: 1, maxConcurrentUploads: 1, certsDirs: [] });
  const access = new RegistryAccess(resolver);
  const endpoint = { url: new URL(`http://${host}`), tls: { verify: true }, mirror: false, insecure: true };
  const repo = access.open(endpoint, 'x', undefined, 'pull');
  const statuses: string[] = [];
  const progress = new ItemProgress((m) => statuses.push(m.status ?? ''), 'layer');
  const store = memoryStore();
  const layer = { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digestOf(blob), size: blob.length };
  await downloadLayer(repo, layer, digestOf(tar), progress, (inflated) => store.write(inflated, digestOf(tar)));
  assert.equal(gets, 2);
  assert.ok(statuses.includes('Retrying in 1 second'), statuses.join(','));
  assert.deepEqual(store.blobs.get(digestOf(tar)), tar);

  serve = gzipSync(randomBytes(64 * 1024));
  const other = memoryStore();
  await assert.rejects(downloadLayer(repo, { ...layer, size: serve.length }, digestOf(tar), progress, (inflated) => other.write(inflated, digestOf(tar))), /filesystem layer verification failed/);
  assert.equal(other.blobs.size, 0);
});

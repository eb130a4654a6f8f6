/**
 * Test helpers for code that talks to other registries: a real berth
 * registry (the same pipeline `serve` runs) in this process on a loopback
 * port, open, with htpasswd, or with --console's token auth, in a temp root.
 */
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { openConsoleAuth } from '../auth/console.js';
import { Htpasswd } from '../auth/htpasswd.js';
import { createRequestListener, type PipelineOptions } from '../http/server.js';
import { Registry } from '../registry.js';

export interface LocalRegistry {
  url: string;
  registry: Registry;
  root: string;
  close(): Promise<void>;
}

export const TEST_USER = { user: 'admin', password: 'test-password-1' };

export async function startLocalRegistry(auth: 'none' | 'basic' | 'token', extra: Partial<PipelineOptions> = {}): Promise<LocalRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'berth-remote-test-'));
  const registry = await Registry.open({ root, deleteEnabled: true });
  const options: PipelineOptions = { registry, errorLog: () => undefined, ...extra };
  if (auth === 'basic') {
    await writeFile(join(root, 'htpasswd'), `${TEST_USER.user}:${bcrypt.hashSync(TEST_USER.password, 4)}\n`);
    const htpasswd = new Htpasswd(join(root, 'htpasswd'));
    await htpasswd.load();
    options.auth = { htpasswd, realm: 'test', allowPlainHttp: false };
  } else if (auth === 'token') {
    options.console = await openConsoleAuth(root, { adminPassword: TEST_USER.password });
  }
  const server = createServer(createRequestListener(options));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(root, { recursive: true, force: true });
  };
  return { url, registry, root, close };
}

/** Stores an image (config and one layer) under name:tag directly; returns its parts. */
export async function storeImage(registry: Registry, name: string, tag: string, layerText: string) {
  const layer = Buffer.from(layerText);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const blobs = [];
  for (const bytes of [config, layer]) {
    const digest = await registry.blobs.putBytes(bytes);
    await registry.repos.linkBlob(name, digest);
    blobs.push({ digest, size: bytes.length });
  }
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...blobs[0] },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...blobs[1] }],
  }));
  const stored = await registry.putManifest(name, { tag }, manifest, 'application/vnd.oci.image.manifest.v1+json');
  return { digest: stored.digest, manifest, config: blobs[0]!, layer: { ...blobs[1]!, bytes: layer } };
}

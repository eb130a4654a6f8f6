import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar, { type Header } from 'tar-stream';
import { unmount, mountPoints } from '../../platform/linux/mount.js';

/** Test helpers for the layer store: tarballs built in memory, temp dirs cleaned up. */

export type FixtureEntry = Partial<Omit<Header, 'pax'>> & { name: string; content?: string | Buffer; pax?: Record<string, string> };

/** Builds an uncompressed tar from entries (type defaults to file, or directory for names ending in '/'). */
export async function makeTar(entries: FixtureEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const { content, ...header } of entries) {
    const type = header.type ?? (header.name.endsWith('/') ? 'directory' : 'file');
    const body = content === undefined ? undefined : Buffer.from(content);
    await new Promise<void>((resolve, reject) => {
      const full = { mtime: new Date(1_700_000_000_000), mode: type === 'directory' ? 0o755 : 0o644, ...header, type };
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body === undefined) pack.entry(full, done);
      else pack.entry({ ...full, size: body.length }, body, done);
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}

export function streamOf(data: Buffer): Readable {
  return Readable.from([data]);
}

/** A temp dir under os.tmpdir(); cleanup() unmounts anything still mounted below it, then removes it. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    async cleanup() {
      const below = [...mountPoints()].filter((p) => p.startsWith(`${path}/`)).sort().reverse();
      for (const target of below) unmount(target);
      await rm(path, { recursive: true, force: true });
    },
  };
}

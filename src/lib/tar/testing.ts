import { Readable } from 'node:stream';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar, { type Header } from 'tar-stream';

/** Test helpers for tar code: tarballs built in memory, temp dirs cleaned up. */

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

/** A temp dir under os.tmpdir(); cleanup() removes it (tests that mount below it use their area's helper). */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

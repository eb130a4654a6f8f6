import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { hexOf, isHex64, sha256, type Digest } from '../../lib/digest.js';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { errnoCode } from '../../lib/errors.js';
import { parseJson } from '../../lib/compression.js';
import type { ContentStore } from '../content/types.js';
import type { ImageConfig } from './types.js';

/** Local facts about an image that are not part of its (content-addressed) config. */
export interface ImageMeta {
  parent?: Digest;
  lastTagTime?: string;
}

export interface StoredImage {
  id: Digest;
  config: ImageConfig;
  meta: ImageMeta;
}

/**
 * The set of images: each is its config blob in the content store (so the ID
 * is the config's digest, as in Docker) plus a small metadata file whose
 * presence says "this image exists". Configs are cached in memory: listing
 * 200 images must not read 200 files.
 */
export class ImageStore {
  private readonly images = new Map<Digest, StoredImage>();

  private constructor(private readonly metaDir: string, private readonly content: ContentStore) {}

  static async open(metaDir: string, content: ContentStore): Promise<ImageStore> {
    const store = new ImageStore(metaDir, content);
    await mkdir(metaDir, { recursive: true });
    for (const name of await readdir(metaDir)) {
      const hex = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !isHex64(hex)) continue;
      const id = `sha256:${hex}` as Digest;
      try {
        const meta = parseJson<ImageMeta>(await readFile(join(metaDir, name)), name);
        const config = parseJson<ImageConfig>(await content.read(id), `config ${id}`);
        store.images.set(id, { id, config, meta });
      } catch {
        // A record without its config cannot be used; leave it for inspection rather than crash.
      }
    }
    return store;
  }

  get(id: Digest): StoredImage | undefined {
    return this.images.get(id);
  }

  all(): StoredImage[] {
    return [...this.images.values()];
  }

  /** IDs starting with a hex prefix. */
  byPrefix(hexPrefix: string): StoredImage[] {
    return this.all().filter((image) => hexOf(image.id).startsWith(hexPrefix));
  }

  /** Stores config bytes verbatim (the ID is their digest) and records the image. */
  async add(configBytes: Buffer, meta: ImageMeta): Promise<StoredImage> {
    const id = sha256(configBytes);
    const existing = this.images.get(id);
    if (existing) return existing;
    await this.content.write(configBytes, id);
    const config = parseJson<ImageConfig>(configBytes, `config ${id}`);
    await writeJsonAtomic(this.metaPath(id), meta);
    const image = { id, config, meta };
    this.images.set(id, image);
    return image;
  }

  async setMeta(id: Digest, meta: ImageMeta): Promise<void> {
    const image = this.images.get(id);
    if (!image) return;
    image.meta = meta;
    await writeJsonAtomic(this.metaPath(id), meta);
  }

  async delete(id: Digest): Promise<void> {
    this.images.delete(id);
    await unlink(this.metaPath(id)).catch((err) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
    await this.content.delete(id);
  }

  private metaPath(id: Digest): string {
    return join(this.metaDir, `${hexOf(id)}.json`);
  }
}

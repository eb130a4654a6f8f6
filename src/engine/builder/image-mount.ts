import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Image } from '../images/types.js';
import type { LayerStore } from '../layers/types.js';
import type { CopyRoot } from './copy.js';

/**
 * An image's filesystem for COPY --from: a throwaway rw layer on its layers,
 * mounted under the build's scratch directory and removed on release. Only
 * read from, through the same chrooted path resolution as the context.
 */
export async function mountImage(layers: LayerStore, image: Image, scratchDir: string): Promise<CopyRoot> {
  const id = `build-from-${randomBytes(8).toString('hex')}`;
  const root = join(scratchDir, id);
  await mkdir(root, { recursive: true });
  await layers.createRw(id, image.topLayer);
  try {
    await layers.mountRw(id, root);
  } catch (err) {
    await layers.removeRw(id).catch(() => undefined);
    throw err;
  }
  return {
    root,
    hidden: [],
    release: async () => {
      await layers.unmountRw(id, root).catch(() => undefined);
      await layers.removeRw(id).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}

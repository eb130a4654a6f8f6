import type { Readable } from 'node:stream';
import { chainId, type Digest } from '../../lib/digest.js';
import { invalid, notFound } from '../../lib/errors.js';
import type { ContentStore } from '../content/types.js';
import type { LayerStore } from '../layers/types.js';
import type { ImageConfig } from './types.js';

type Deps = { content: ContentStore; layers: LayerStore };

/**
 * Makes sure every layer of a config exists in the layer store. A layer that
 * is missing is extracted from its uncompressed tar, which load stages in the
 * content store under its diff ID when it could not tell the layer's parent
 * as the archive streamed by (see archive/stream-layers.ts; import and commit
 * stream their tar into the layer store directly); once extracted, the layer
 * store keeps the tar as tar-split metadata, so the staged blob goes.
 */
export async function registerLayers(deps: Deps, config: ImageConfig): Promise<void> {
  const diffIds = config.rootfs?.diff_ids;
  if (!config.rootfs || config.rootfs.type !== 'layers' || !Array.isArray(diffIds)) {
    throw invalid('invalid image config: rootfs must be of type "layers" with diff_ids');
  }
  let parent: Digest | null = null;
  for (const diffId of diffIds) {
    const chain = chainId(parent, diffId);
    if (!(await deps.layers.get(chain))) {
      if (!(await deps.content.has(diffId))) throw invalid(`layer ${diffId} is missing from the content store`);
      // The content store checked the blob's digest when it was written: no second hash.
      await deps.layers.create(parent, deps.content.open(diffId), diffId, { verified: true });
    }
    await dropStagedTar(deps, chain, diffId);
    parent = chain;
  }
}

/** Deletes a layer's tar blob once the layer can regenerate it (never for layers made before tar-split). */
async function dropStagedTar(deps: Deps, chain: Digest, diffId: Digest): Promise<void> {
  if (!(await deps.content.has(diffId))) return;
  const tar = await deps.layers.layerTar(chain);
  if (tar === null) return;
  tar.stream.destroy();
  await deps.content.delete(diffId);
}

/**
 * The exact uncompressed tar of a layer (its digest is `diffId`): regenerated
 * from the layer's files, or, for a layer made before tar-split, its blob.
 */
export async function openLayerTar(deps: Deps, chain: Digest, diffId: Digest): Promise<{ stream: Readable; size: number }> {
  const regenerated = (await deps.layers.get(chain)) ? await deps.layers.layerTar(chain) : null;
  if (regenerated) return regenerated;
  if (!(await deps.content.has(diffId))) throw notFound(`layer ${diffId} not found`);
  return { stream: deps.content.open(diffId), size: await deps.content.size(diffId) };
}

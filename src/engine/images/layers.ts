import { chainId, type Digest } from '../../lib/digest.js';
import { invalid } from '../../lib/errors.js';
import type { ContentStore } from '../content/types.js';
import type { LayerStore } from '../layers/types.js';
import type { ImageConfig } from './types.js';

/**
 * Makes sure every layer of a config exists in the layer store, extracting
 * missing ones from their uncompressed tar blobs (kept in the content store
 * under their diff ID, so that save can give back the exact bytes).
 */
export async function registerLayers(deps: { content: ContentStore; layers: LayerStore }, config: ImageConfig): Promise<void> {
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
    parent = chain;
  }
}

import type { Readable } from 'node:stream';
import { chainId, hexOf, type Digest } from '../../../lib/digest.js';
import { invalid } from '../../../lib/errors.js';
import type { ContentStore } from '../../content/types.js';
import type { CreatedLayer, LayerStore } from '../../layers/types.js';

/** A layer extracted while the archive streamed by, and the size of its tar. */
export interface StreamedLayer extends CreatedLayer {
  tarSize: number;
}

/**
 * `docker load` without staging a layer's tar, where the archive allows it.
 * An archive names a layer's parent for certain only in its manifest, which
 * comes after the layers. But archives saved by dockerd (legacy layout) have
 * a `<id>/json` before each `<id>/layer.tar`, with a `parent` link to the
 * layer below: a layer with no parent, or whose parent was extracted already,
 * goes straight into the layer store (extract + tar-split + diff ID in one
 * pass). Any other layer is staged as before. The manifest has the last word:
 * adopt() checks each streamed layer against the config's diff IDs, and one
 * whose links misled is re-made on its true parent from its regenerated tar.
 * discardUnused() removes what this load made and no loaded image uses, so a
 * truncated or malformed archive leaves no layer behind.
 */
export class LayerStreamer {
  /** Streamed layers by their `<id>` directory, in the order they were made. */
  private readonly byDir = new Map<string, StreamedLayer>();

  /**
   * `imageUses`: whether a stored image uses a chain ID. A layer this load made may have been
   * found by another load meanwhile (extracted beside it, then found here at commit): it stays while
   * that load holds it, and once it committed an image on it.
   */
  constructor(private readonly layers: LayerStore, private readonly imageUses: (chain: Digest) => boolean = () => false) {}

  /**
   * The chain to extract `name` on, if it is a legacy `<id>/layer.tar` whose
   * parent is known now (null: a base layer); undefined if it must be staged.
   * `json` reads the archive's `<id>/json` (undefined if it has none yet).
   */
  parentOf(name: string, json: (name: string) => Buffer | undefined): Digest | null | undefined {
    const dir = legacyLayerDir(name);
    const bytes = dir === undefined ? undefined : json(`${dir}/json`);
    if (bytes === undefined) return undefined;
    const parent = parentLink(bytes);
    if (parent === null) return null;
    return parent === undefined ? undefined : this.byDir.get(parent)?.chainId;
  }

  /** Extracts one `<id>/layer.tar` on `parent` (see parentOf) while it streams. */
  async extract(name: string, tar: Readable, size: number, parent: Digest | null): Promise<void> {
    const layer = await this.layers.create(parent, tar, undefined, { hold: true });
    this.byDir.set(legacyLayerDir(name)!, { ...layer, tarSize: size });
  }

  /** The layer streamed from archive file `name` (links resolved), if any. */
  streamed(name: string): StreamedLayer | undefined {
    const dir = legacyLayerDir(name);
    return dir === undefined ? undefined : this.byDir.get(dir);
  }

  /**
   * Makes sure the streamed `layer` can serve as diff ID `diffId` on `parent`.
   * Its diff ID must be the config's; if it sits on another parent than the
   * manifest's (a misleading `json`), its tar, regenerated from its files, is
   * staged in the content store for registerLayers, as an unstreamed layer's.
   */
  async adopt(content: ContentStore, name: string, layer: StreamedLayer, diffId: Digest, parent: Digest | null): Promise<void> {
    if (layer.diffId !== diffId) throw invalid(`invalid archive: layer ${name} has digest ${layer.diffId}, but the config says ${diffId}`);
    if (layer.parent === parent || (await this.layers.get(chainId(parent, diffId))) || (await content.has(diffId))) return;
    const tar = await this.layers.layerTar(layer.chainId);
    if (tar === null) throw invalid(`invalid archive: layer ${name} cannot be moved onto its parent`);
    await content.write(tar.stream, diffId);
  }

  /**
   * Lets go of the streamed layers and removes those this load made that no image in `used` (chain
   * IDs) needs; topmost first. One that another load holds, that an image uses, or that something
   * else came to sit on meanwhile (remove's conflict) stays.
   */
  async discardUnused(used: ReadonlySet<Digest>): Promise<void> {
    for (const layer of [...this.byDir.values()].reverse()) {
      this.layers.release(layer.chainId);
      if (!layer.created || used.has(layer.chainId)) continue;
      await this.layers.remove(layer.chainId, { keep: () => this.imageUses(layer.chainId) }).catch(() => undefined);
    }
  }
}

/** `<id>` of a legacy `<id>/layer.tar` name, else undefined. */
function legacyLayerDir(name: string): string | undefined {
  const match = /^([a-f0-9]{64})\/layer\.tar$/.exec(name);
  return match?.[1];
}

/** The `parent` of a legacy `<id>/json`: a layer directory's `<id>`, null for none, undefined if unreadable. */
function parentLink(bytes: Buffer): string | null | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const parent = (json as { parent?: unknown }).parent;
  if (parent === undefined || parent === '') return null;
  return typeof parent === 'string' ? hexOf(parent) : undefined;
}

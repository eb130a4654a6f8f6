import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';

/**
 * The layer store: read-only image layers keyed by chain ID, and read-write
 * layers (one per container) on top of them. Implementations: overlay2 (the
 * default) and vfs (full copies, for filesystems overlay cannot sit on).
 * The store never knows about images; it only knows parents and children.
 */

export interface LayerInfo {
  chainId: Digest;
  /** sha256 of the uncompressed layer tar this layer was made from. */
  diffId: Digest;
  /** Chain ID of the layer below, or null for a base layer. */
  parent: Digest | null;
  /** Bytes of content in this layer alone (what Docker reports as the layer's size). */
  size: number;
}

/** A layer create() returned: `created` is false when the layer was there already (so a caller undoing its work keeps it). */
export interface CreatedLayer extends LayerInfo {
  created: boolean;
}

/** What a container's root filesystem is made of: returned as data, mounted by mount(). */
export interface RwLayerInfo {
  id: string;
  parent: Digest | null;
  /** Directory that receives the container's writes (overlay "upper", or the vfs copy). */
  diffDir: string;
}

export interface LayerStore {
  readonly driver: 'overlay2' | 'vfs';
  /** Key/value pairs for `docker info`'s Driver Status and image inspect's GraphDriver.Data. */
  status(): Promise<[string, string][]>;

  /**
   * Extracts a layer tar (plain or gzip, detected by magic) on top of `parent`
   * and returns the layer. The diff ID is computed from the uncompressed bytes;
   * if `expectedDiffId` is given and differs, nothing is kept and an `invalid`
   * EngineError is thrown. If the resulting chain ID exists already, the stream
   * is drained and the existing layer returned. A hostile tar (paths leaving the
   * root, writes through symlinks, hardlinks to outside, bare whiteouts) is
   * refused with an `invalid` EngineError and leaves nothing behind.
   * `verified`: the tar's bytes are known to hash to `expectedDiffId` (a
   * content store blob, named by the digest checked when it was written), so
   * they are not hashed again: for a layer with a huge file that is seconds.
   * `hold`: the layer returned (made or found) is held, taken at the moment it is
   * made or found: remove() refuses it until release() ends the hold, so an
   * operation that found a layer another one made can count on it meanwhile.
   */
  create(parent: Digest | null, tar: Readable, expectedDiffId?: Digest, options?: { verified?: boolean; hold?: boolean }): Promise<CreatedLayer>;
  /** Ends one hold that create({ hold: true }) took on the layer. */
  release(chainId: Digest): void;
  get(chainId: Digest): Promise<LayerInfo | null>;
  list(): Promise<LayerInfo[]>;
  /**
   * Removes a read-only layer; `conflict` if a layer or rw layer still sits on it, if it is held
   * (see create), or if `keep` (asked under the store's lock, just before removal) says it is in use.
   */
  remove(chainId: Digest, options?: { keep?: () => boolean }): Promise<void>;
  /** The directory holding this layer's own files (GraphDriver.Data.UpperDir). */
  diffDir(chainId: Digest): string;

  /**
   * The exact tar the layer was made from (its digest is the diff ID), regenerated
   * from the layer's files and its tar-split metadata; the stream fails if the
   * files no longer give that digest. Null for a layer made before tar-split
   * (its tar is still a content blob then). `size`: the tar's length in bytes.
   */
  layerTar(chainId: Digest): Promise<{ stream: Readable; size: number } | null>;

  /** A tar (uncompressed) of one read-only layer's changes, whiteouts as .wh. entries. */
  exportLayer(chainId: Digest): Readable;

  createRw(id: string, parent: Digest | null): Promise<RwLayerInfo>;
  getRw(id: string): Promise<RwLayerInfo | null>;
  /** Mounts the rw layer's merged view at `target` (an existing empty dir). Idempotent. */
  mountRw(id: string, target: string): Promise<void>;
  unmountRw(id: string, target: string): Promise<void>;
  /** The layer is gone when this resolves; its files are deleted afterwards (see settled). */
  removeRw(id: string): Promise<void>;
  /** Resolves once the files of removed read-write layers are deleted. */
  settled(): Promise<void>;
  /** Changes in the rw layer relative to its parent, as docker diff reports them. */
  changesRw(id: string): Promise<{ path: string; kind: 0 | 1 | 2 }[]>;
  /**
   * A tar (uncompressed) of the rw layer's changes, whiteouts as .wh. entries (for commit).
   * `exclude`: root-relative paths ("etc/hosts") left out, e.g. the runtime's mount placeholders.
   */
  exportRw(id: string, exclude?: ReadonlySet<string>): Readable;
}

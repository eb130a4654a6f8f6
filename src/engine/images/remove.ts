import { chainIds, shortId, type Digest } from '../../lib/digest.js';
import { conflict, isEngineError } from '../../lib/errors.js';
import { familiarString, normalizedString, parseNormalizedNamed, withDefaultTag, type Reference } from '../../lib/reference.js';
import type { ContentStore } from '../content/types.js';
import type { EventBus } from '../events/types.js';
import type { LayerStore } from '../layers/types.js';
import type { ReferenceStore } from './refstore.js';
import type { ImageStore, StoredImage } from './store.js';
import type { DeleteResponseItem, ImageUsage } from './types.js';

export interface RemoverDeps {
  content: ContentStore;
  layers: LayerStore;
  events: EventBus;
  store: ImageStore;
  refs: ReferenceStore;
  usage: ImageUsage;
  lookup(name: string): StoredImage;
  children(id: Digest): Digest[];
  forgetLayer(chain: Digest): void;
}

// Conflicts, as moby names them: hard ones cannot be forced away.
const DEPENDENT_CHILD = 1;
const RUNNING_CONTAINER = 2;
const ACTIVE_REFERENCE = 4;
const STOPPED_CONTAINER = 8;
const HARD = DEPENDENT_CHILD | RUNNING_CONTAINER;
const SOFT = ACTIVE_REFERENCE | STOPPED_CONTAINER;

class DeleteConflict {
  constructor(readonly id: Digest, readonly hard: boolean, readonly used: boolean, readonly reason: string) {}

  error(): Error {
    const force = this.hard ? 'cannot be forced' : 'must be forced';
    return conflict(`conflict: unable to delete ${shortId(this.id)} (${force}) - ${this.reason}`);
  }
}

/**
 * `docker rmi` semantics (moby's image_delete.go): removing a name untags it,
 * and the image goes when its last name goes; removing by ID removes all names
 * when they are all of one repository, else it must be forced. Deleting an
 * image then prunes its untagged parents unless noPrune.
 */
export class ImageRemover {
  constructor(private readonly deps: RemoverDeps) {}

  async remove(nameOrId: string, options: { force: boolean; noPrune: boolean; quietConflicts?: boolean }): Promise<DeleteResponseItem[]> {
    const image = this.deps.lookup(nameOrId);
    const records: DeleteResponseItem[] = [];
    let repoRefs = this.refsOf(image.id);
    let removedRepositoryRef = false;

    if (!isIdPrefix(image.id, nameOrId)) {
      const named = defaultTagged(parseNormalizedNamed(nameOrId));
      if (!options.force && isSingleReference(repoRefs)) {
        const user = (await this.deps.usage.containersUsing(image.id))[0];
        if (user) {
          throw conflict(`conflict: unable to remove repository reference "${nameOrId}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(image.id)}`);
        }
      }
      await this.untag(image.id, named, records);
      repoRefs = this.refsOf(image.id);
      if (named.digest === undefined && !repoRefs.some((r) => r.digest === undefined && sameRepo(r, named))) {
        // The last tag of a repository went: its digest references go too.
        for (const ref of repoRefs.filter((r) => r.digest !== undefined && sameRepo(r, named))) await this.untag(image.id, ref, records);
        repoRefs = this.refsOf(image.id);
      }
      if (repoRefs.length > 0) return records;
      removedRepositoryRef = true;
    } else if (isSingleReference(repoRefs)) {
      const mask = options.force ? HARD : HARD | (SOFT & ~ACTIVE_REFERENCE);
      const found = await this.findConflict(image.id, mask);
      if (found) throw found.error();
      for (const ref of repoRefs) await this.untag(image.id, ref, records);
    }

    await this.deleteImage(image.id, records, options.force, !options.noPrune, removedRepositoryRef || !!options.quietConflicts);
    return records;
  }

  private async deleteImage(id: Digest, records: DeleteResponseItem[], force: boolean, prune: boolean, quiet: boolean): Promise<void> {
    const found = await this.findConflict(id, force ? HARD : HARD | SOFT);
    if (found) {
      // As moby's imageIsDangling: no references and no children (a parent other images still build on is not dangling).
      const dangling = this.refsOf(id).length === 0 && this.deps.children(id).length === 0;
      if (quiet && (!dangling || found.used)) return;
      throw found.error();
    }
    const image = this.deps.store.get(id);
    if (!image) return;
    for (const ref of this.refsOf(id)) await this.untag(id, ref, records);
    await this.deps.store.delete(id);
    this.deps.events.publish('image', 'delete', id, { name: id });
    records.push({ Deleted: id });
    for (const layer of await this.releaseLayers(image)) records.push({ Deleted: layer });
    const parent = image.meta.parent;
    if (prune && parent && this.deps.store.get(parent)) await this.deleteImage(parent, records, false, true, true);
  }

  private async findConflict(id: Digest, mask: number): Promise<DeleteConflict | undefined> {
    if (mask & DEPENDENT_CHILD && this.deps.children(id).length > 0) {
      return new DeleteConflict(id, true, false, 'image has dependent child images');
    }
    const users = mask & (RUNNING_CONTAINER | STOPPED_CONTAINER) ? await this.deps.usage.containersUsing(id) : [];
    const running = users.find((u) => u.running);
    if (mask & RUNNING_CONTAINER && running) {
      return new DeleteConflict(id, true, true, `image is being used by running container ${shortId(running.id)}`);
    }
    if (mask & ACTIVE_REFERENCE && this.refsOf(id).length > 0) {
      return new DeleteConflict(id, false, false, 'image is referenced in multiple repositories');
    }
    const stopped = users.find((u) => !u.running);
    if (mask & STOPPED_CONTAINER && stopped) {
      return new DeleteConflict(id, false, true, `image is being used by stopped container ${shortId(stopped.id)}`);
    }
    return undefined;
  }

  private async untag(id: Digest, ref: Reference, records: DeleteResponseItem[]): Promise<void> {
    await this.deps.refs.delete(normalizedString(ref));
    records.push({ Untagged: familiarString(ref) });
    this.deps.events.publish('image', 'untag', id, { name: id });
  }

  /** Removes the layers (and their tar blobs) that no remaining image uses; returns removed chain IDs. */
  private async releaseLayers(image: StoredImage): Promise<Digest[]> {
    const stillUsed = new Set<string>();
    const diffIdsUsed = new Set<string>();
    for (const other of this.deps.store.all()) {
      const diffIds = other.config.rootfs?.diff_ids ?? [];
      for (const chain of chainIds(diffIds)) stillUsed.add(chain);
      for (const diffId of diffIds) diffIdsUsed.add(diffId);
    }
    const removed: Digest[] = [];
    const diffIds = image.config.rootfs?.diff_ids ?? [];
    for (const chain of chainIds(diffIds).reverse()) {
      if (stillUsed.has(chain)) break; // everything below is shared too
      try {
        await this.deps.layers.remove(chain);
      } catch (err) {
        if (isEngineError(err, 'conflict')) break; // a container's rw layer sits on it
        throw err;
      }
      this.deps.forgetLayer(chain);
      removed.push(chain);
    }
    for (const diffId of diffIds) {
      if (!diffIdsUsed.has(diffId)) await this.deps.content.delete(diffId);
    }
    return removed;
  }

  private refsOf(id: Digest): Reference[] {
    return this.deps.refs.refsOf(id).map((ref) => parseNormalizedNamed(ref));
  }
}

function defaultTagged(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? withDefaultTag(ref) : ref;
}

function sameRepo(a: Reference, b: Reference): boolean {
  return a.domain === b.domain && a.path === b.path;
}

/** moby's isImageIDPrefix: the argument is the start of the ID, with or without "sha256:". */
function isIdPrefix(id: Digest, candidate: string): boolean {
  return id.startsWith(candidate) || id.slice('sha256:'.length).startsWith(candidate);
}

/** True when all references are of one repository with at most one tag (moby's isSingleReference). */
function isSingleReference(refs: Reference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: Reference | undefined;
  const canonicalRepos = new Set<string>();
  for (const ref of refs) {
    if (ref.digest !== undefined) canonicalRepos.add(`${ref.domain}/${ref.path}`);
    else if (!single) single = ref;
    else return false;
  }
  const chosen = single ?? refs[0]!;
  return canonicalRepos.size === 1 && canonicalRepos.has(`${chosen.domain}/${chosen.path}`);
}

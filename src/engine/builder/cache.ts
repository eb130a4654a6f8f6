import type { Digest } from '../../lib/digest.js';
import type { ContainerConfig, Image, ImageService } from '../images/types.js';

/**
 * The classic builder's cache: a step's result is an image whose parent is
 * the step's starting image and whose container_config (the step's config,
 * with the instruction in Cmd) equals the step's. The parent links and the
 * container_config written by each commit are the whole cache, as in Docker.
 *
 * --cache-from images (pulled, so without parent links) are matched by
 * history instead: one whose layers and history start with the current
 * image's, and whose next history entry was made by the same command. With
 * --cache-from, those images are the only cache, as in moby: a local hit
 * counts only when it is one of them or one of their ancestors.
 */

/** The config fields that decide a cache hit (moby's compare(), plus the few it misses). */
const COMPARED: (keyof ContainerConfig)[] = [
  'Cmd', 'Env', 'Labels', 'ExposedPorts', 'Entrypoint', 'Volumes', 'User', 'WorkingDir', 'Healthcheck', 'Shell', 'StopSignal', 'OnBuild', 'Tty', 'OpenStdin',
];

export function sameStepConfig(a: ContainerConfig | undefined, b: ContainerConfig): boolean {
  if (!a) return false;
  return COMPARED.every((key) => canonical(a[key]) === canonical(b[key]));
}

/** JSON with sorted keys, and empty lists or maps equal to absent ones (as moby's length checks). */
function canonical(value: unknown): string {
  if (value === undefined || value === null || value === '' || value === false) return '';
  if (Array.isArray(value)) return value.length === 0 ? '' : JSON.stringify(value);
  if (typeof value === 'object') {
    const keys = Object.keys(value as object).sort();
    if (keys.length === 0) return '';
    return JSON.stringify(keys.map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  }
  return JSON.stringify(value);
}

/** Makes a local image for a step found in a --cache-from image: `parent` plus that image's layer for history entry `index`. */
export type RestoreStep = (parent: Digest | null, source: Image, index: number) => Promise<Digest>;

export class BuildCache {
  private lineage?: Promise<Set<Digest>>;

  /** `sources` are the --cache-from images found, null when none were asked for (the local cache then). */
  constructor(
    private readonly images: ImageService,
    private readonly sources: Image[] | null,
    private readonly restore: RestoreStep,
  ) {}

  /** An image made from `parent` by a step with `stepConfig`, or null. */
  async find(parent: Digest | null, stepConfig: ContainerConfig): Promise<Digest | null> {
    const local = await this.findLocal(parent, stepConfig);
    if (local && (await this.isFromSources(local))) return local;
    return this.findInSources(parent, stepConfig);
  }

  private async isFromSources(id: Digest): Promise<boolean> {
    if (this.sources === null) return true;
    this.lineage ??= this.ancestry(this.sources);
    return (await this.lineage).has(id);
  }

  /** The sources and all their local parents. */
  private async ancestry(sources: Image[]): Promise<Set<Digest>> {
    const seen = new Set<Digest>();
    for (const source of sources) {
      let image: Image | undefined = source;
      while (image && !seen.has(image.id)) {
        seen.add(image.id);
        image = image.parent ? await this.images.resolve(image.parent).catch(() => undefined) : undefined;
      }
    }
    return seen;
  }

  private async findLocal(parent: Digest | null, stepConfig: ContainerConfig): Promise<Digest | null> {
    const candidates = parent ? await this.children(parent) : (await this.images.all()).filter((image) => image.parent === '');
    // The newest match wins, as Docker's store walk does in practice.
    const matches = candidates.filter((image) => sameStepConfig(image.config.container_config, stepConfig));
    matches.sort((a, b) => (b.config.created ?? '').localeCompare(a.config.created ?? ''));
    return matches[0]?.id ?? null;
  }

  private async children(parent: Digest): Promise<Image[]> {
    const out: Image[] = [];
    for (const id of await this.images.children(parent)) out.push(await this.images.resolve(id));
    return out;
  }

  private async findInSources(parent: Digest | null, stepConfig: ContainerConfig): Promise<Digest | null> {
    if (!this.sources?.length) return null;
    const base = parent ? await this.images.resolve(parent) : null;
    const baseDiffs = base?.config.rootfs.diff_ids ?? [];
    const baseHistory = base?.config.history ?? [];
    const command = (stepConfig.Cmd ?? []).join(' ');
    for (const source of this.sources) {
      const history = source.config.history ?? [];
      const diffs = source.config.rootfs.diff_ids;
      if (history.length <= baseHistory.length) continue;
      if (!baseHistory.every((h, i) => h.created_by === history[i]?.created_by)) continue;
      if (!baseDiffs.every((d, i) => d === diffs[i])) continue;
      if (history[baseHistory.length]!.created_by !== command) continue;
      if (history.length === baseHistory.length + 1) return source.id;
      return this.restore(parent, source, baseHistory.length);
    }
    return null;
  }
}

import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { decompress } from '../../lib/compression.js';
import { invalid } from '../../lib/errors.js';
import { parseNormalizedNamed, parseTag, withDefaultTag, type Reference } from '../../lib/reference.js';
import type { LayerStore } from '../layers/types.js';
import { applyChanges, type WordSplitter } from './config-changes.js';
import type { ContainerConfig, ImageConfig } from './types.js';

export interface ImportOptions {
  /** "-" for the request body, or the URL it came from; shown in history as "Imported from …". */
  sourceName: string;
  repo?: string;
  tag?: string;
  message?: string;
  changes: string[];
  platform?: string;
}

/** The empty container config Docker writes for images it creates. */
export function emptyContainerConfig(): ContainerConfig {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
  };
}

/**
 * `docker import`: a root filesystem tarball (plain, gzip, bzip2, xz or zstd)
 * becomes a one-layer image. The tar streams straight into the layer store
 * (extracted, its tar-split recorded and its diff ID hashed in one pass: no
 * blob is staged), then the config is written and tagged.
 */
export async function importImage(
  deps: { layers: Pick<LayerStore, 'create'>; words?: WordSplitter },
  source: Readable,
  options: ImportOptions,
  commit: (config: ImageConfig, tags: Reference[]) => Promise<Digest>,
): Promise<Digest> {
  const tags = importTags(options);
  const platform = parsePlatform(options.platform);
  const config = applyChanges(emptyContainerConfig(), options.changes, deps.words);
  const { stream } = await decompress(source);
  const { diffId } = await deps.layers.create(null, stream);
  const created = new Date().toISOString();
  const comment = options.message || `Imported from ${options.sourceName}`;
  const imageConfig: ImageConfig = {
    architecture: platform.architecture,
    comment,
    config,
    created,
    docker_version: 'berth',
    history: [{ created, comment }],
    os: platform.os,
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
  return commit(imageConfig, tags);
}

function importTags(options: ImportOptions): Reference[] {
  if (!options.repo) {
    if (options.tag) throw invalid('tag given without a repository');
    return [];
  }
  const ref = parseNormalizedNamed(options.repo);
  if (ref.digest) throw invalid('cannot import digest reference');
  if (options.tag) return [{ ...ref, tag: parseTag(options.tag) }];
  return [withDefaultTag(ref)];
}

/** Only the host's platform can be imported here; say so rather than mislabel an image. */
export function parsePlatform(platform: string | undefined): { os: string; architecture: string } {
  const host = { os: 'linux', architecture: hostArchitecture() };
  if (!platform) return host;
  const [os, arch] = platform.toLowerCase().split('/');
  if (os !== 'linux' || (arch !== undefined && arch !== host.architecture)) {
    throw invalid(`platform "${platform}" is not supported: this daemon handles ${host.os}/${host.architecture} only`);
  }
  return host;
}

export function hostArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[process.arch] ?? process.arch;
}

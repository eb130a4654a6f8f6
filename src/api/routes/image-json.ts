import type { Image, ImageService } from '../../engine/images/types.js';
import { versionLess } from '../request.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** GET /images/json's ImageSummary, shaped for the client's API version. */
export function imageSummary(image: Image, version: string, extra: { sharedSize?: number; containers?: number } = {}): Record<string, unknown> {
  const untagged = image.repoTags.length === 0 && image.repoDigests.length === 0;
  // Before 1.43 Docker wrote placeholders for untagged images; clients of that age expect them.
  const placeholders = untagged && versionLess(version, '1.43');
  const summary: Record<string, unknown> = {
    Containers: extra.containers ?? -1,
    Created: image.config.created ? Math.floor(Date.parse(image.config.created) / 1000) : 0,
    Id: image.id,
    Labels: image.config.config?.Labels ?? null,
    ParentId: image.parent,
    RepoDigests: placeholders ? ['<none>@<none>'] : listed(image.repoDigests, version),
    RepoTags: placeholders ? ['<none>:<none>'] : listed(image.repoTags, version),
    SharedSize: extra.sharedSize ?? -1,
    Size: image.size,
  };
  if (versionLess(version, '1.44')) summary.VirtualSize = image.size;
  return summary;
}

/**
 * A list of the summary: before 1.43 dockerd left an empty one nil, written
 * as null (an imported image's RepoDigests); from 1.43 it is always an array.
 */
function listed(values: string[], version: string): string[] | null {
  return values.length === 0 && versionLess(version, '1.43') ? null : values;
}

/** GET /images/{name}/json's ImageInspect. */
export async function imageInspect(images: ImageService, image: Image, version: string): Promise<Record<string, unknown>> {
  const c = image.config;
  const out: Record<string, unknown> = {
    Id: image.id,
    RepoTags: image.repoTags,
    RepoDigests: image.repoDigests,
    Parent: image.parent,
    Comment: c.comment ?? '',
    Created: c.created ?? ZERO_TIME,
  };
  // Kept at every API version (dockerd 25 dropped them): docker-compose 1.29 reads ContainerConfig when it recreates.
  out.Container = c.container ?? '';
  out.ContainerConfig = c.container_config ?? emptyConfig();
  Object.assign(out, {
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: c.config ?? null,
    Architecture: c.architecture ?? '',
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os ?? '',
    ...(c['os.version'] ? { OsVersion: c['os.version'] } : {}),
    Size: image.size,
  });
  if (versionLess(version, '1.44')) out.VirtualSize = image.size;
  out.GraphDriver = await images.graphDriver(image);
  out.RootFS = { Type: c.rootfs?.type ?? 'layers', Layers: c.rootfs?.diff_ids ?? [] };
  out.Metadata = { LastTagTime: image.lastTagTime ?? ZERO_TIME };
  return out;
}

function emptyConfig(): Record<string, unknown> {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false, Tty: false,
    OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null, WorkingDir: '', Entrypoint: null,
    OnBuild: null, Labels: null,
  };
}

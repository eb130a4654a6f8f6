/**
 * `compose run`: a one-off container of a service, as compose v2 makes it
 * (pkg/compose/run.go): the service with the command line's overrides, no
 * restart policy, no published ports unless --service-ports, named
 * `<project>-<service>-run-<id>`, labelled oneoff=True with a slug and no
 * container number; what it depends on is brought up first.
 */
import { randomBytes } from 'node:crypto';
import type { BerthClient, CreateContainerRequest } from '../client/index.js';
import { invalid } from '../lib/errors.js';
import { imageName } from './build.js';
import { imageIdOf } from './image-ids.js';
import { toMap } from './canonical.js';
import { containerSpec, type ContainerPlan } from './container-spec.js';
import { injectFiles } from './inject.js';
import { nameOf, numberOf, projectContainers, serviceOf } from './containers.js';
import { serviceConfigHash } from './hash.js';
import { pullMissing } from './images.js';
import { waitForDependencies } from './lifecycle.js';
import { connectOtherNetworks, networksAtCreate } from './networking.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';
import { ensureNetworks, ensureVolumes } from './resources.js';
import { parsePortShort, parseVolumeShort, resolveHostPath } from './short-syntax.js';
import { up } from './up.js';

type Dict = Record<string, unknown>;

export interface RunOptions {
  service: string;
  command: string[];
  entrypoint?: string[];
  env: string[];
  labels: string[];
  name?: string;
  user?: string;
  workdir?: string;
  volumes: string[];
  publish: string[];
  servicePorts: boolean;
  tty: boolean;
  interactive: boolean;
  detach: boolean;
  rm: boolean;
}

/** The service as the one-off container runs it (compose v2's applyRunOptions and prepareRun). */
export function oneOffService(project: Project, o: RunOptions): Dict {
  const original = project.model.services[o.service];
  if (!original) throw invalid(`no such service: ${o.service}`);
  const s: Dict = { ...original, tty: o.tty, stdin_open: o.interactive };
  delete s.restart;
  if (s.deploy) s.deploy = { ...(s.deploy as Dict), restart_policy: undefined };
  if (o.command.length) s.command = o.command;
  if (o.entrypoint) {
    s.entrypoint = o.entrypoint;
    if (!o.command.length) s.command = [];
  }
  if (o.user) s.user = o.user;
  if (o.workdir) s.working_dir = o.workdir;
  if (o.name) s.container_name = o.name;
  if (o.env.length) {
    // `-e NAME` takes NAME from the environment compose was run in; unset ones are dropped.
    const given = Object.entries(toMap(o.env)).map(([k, v]) => [k, v ?? project.environment[k]] as const).filter(([, v]) => v !== undefined && v !== '');
    s.environment = { ...((s.environment ?? {}) as Dict), ...Object.fromEntries(given) };
  }
  if (o.labels.length) s.labels = { ...((s.labels ?? {}) as Dict), ...toMap(o.labels) };
  const published = o.publish.flatMap((p) => parsePortShort(p));
  s.ports = o.servicePorts ? [...((s.ports ?? []) as Dict[]), ...published] : published;
  if (o.volumes.length) {
    const extra = o.volumes.map((v) => parseVolumeShort(v)).map((v) => (v.type === 'bind' && v.source ? { ...v, source: resolveHostPath(v.source, project.workingDir) } : v));
    s.volumes = [...((s.volumes ?? []) as Dict[]), ...extra];
  }
  return s;
}

/**
 * Before the one-off container: what the service depends on is brought up
 * (unless --no-deps) and its conditions waited for; the project's networks
 * and volumes exist either way, and the service's image is there.
 */
export async function prepareOneOff(client: BerthClient, project: Project, service: string, noDeps: boolean, progress: Progress, warn: (m: string) => void): Promise<void> {
  const deps = noDeps ? [] : Object.keys((project.model.services[service].depends_on ?? {}) as Dict);
  if (deps.length > 0) {
    await up(client, project, progress, { services: deps, warn });
    const started = new Map<string, Array<{ id: string; name: string }>>();
    for (const c of await projectContainers(client, project.name, false)) {
      if (numberOf(c) > 0) started.set(serviceOf(c), [...(started.get(serviceOf(c)) ?? []), { id: c.Id, name: nameOf(c) }]);
    }
    await waitForDependencies(client, project, service, started, progress);
  }
  await ensureNetworks(client, project, progress, warn);
  await ensureVolumes(client, project, progress, warn);
  await pullMissing(client, project, [service], progress);
}

/** Creates the one-off container (not started) and returns its id and the create request. */
export async function createOneOff(client: BerthClient, project: Project, o: RunOptions): Promise<{ id: string; request: CreateContainerRequest }> {
  const service = oneOffService(project, o);
  const slug = randomBytes(32).toString('hex');
  const name = typeof service.container_name === 'string' ? service.container_name : `${project.name}-${o.service}-run-${slug.slice(0, 12)}`;
  // The plan's project sees the changed service, so the spec and the hash are the one-off's own.
  const oneOff: Project = { ...project, model: { ...project.model, services: { ...project.model.services, [o.service]: service } } };
  const imageId = await imageIdOf(client, imageName(project, o.service));
  const plan: ContainerPlan = { service: o.service, number: 1, name, hash: serviceConfigHash(service), oneoff: true, slug, imageId, allNetworks: await networksAtCreate(client) };
  const request = containerSpec(oneOff, plan);
  request.AttachStdin = o.interactive && !o.detach;
  request.AttachStdout = !o.detach;
  request.AttachStderr = !o.detach;
  request.StdinOnce = o.interactive && !o.detach;
  request.HostConfig.AutoRemove = o.rm;
  const { Id } = await client.createContainer(request, { name });
  await connectOtherNetworks(client, oneOff, o.service, Id, plan);
  await injectFiles(client, oneOff, service, Id);
  return { id: Id, request };
}

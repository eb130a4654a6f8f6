/**
 * `berth compose cp`: `berth cp` with a service instead of a container.
 * To a service, every container of it gets the files (or the one --index
 * names); from a service, its first container (or --index) gives them, as
 * compose v2 chooses (pkg/compose/cp.go).
 */
import { StatusError } from '../../command.js';
import { LABEL, projectFilter } from '../../../compose/labels.js';
import { nameOf, numberOf, serviceOf } from '../../../compose/containers.js';
import { serviceContainer } from '../../../compose/port.js';
import { containerId } from '../../../compose/progress.js';
import type { BerthClient, ContainerSummary } from '../../../client/index.js';
import type { Project } from '../../../compose/project.js';
import { copyFromContainer, copyToContainer, splitCpArg } from '../container/cp.js';
import { projectOrName } from './project-or-name.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const cpCommand: ComposeSubcommand = {
  name: 'cp',
  usage: '[OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n\tberth compose cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH',
  short: 'Copy files/folders between a service container and the local filesystem',
  flags: [
    { long: 'all', type: 'bool', usage: 'Include containers created by the run command' },
    { long: 'archive', short: 'a', type: 'bool', usage: 'Archive mode (copy all uid/gid information)' },
    { long: 'follow-link', short: 'L', type: 'bool', usage: 'Always follow symbol link in SRC_PATH' },
    { long: 'index', type: 'int', default: 0, usage: 'Index of the container if service has multiple replicas' },
  ],
  async run(ctx, parsed, options) {
    if (parsed.args.length !== 2) throw new StatusError(`"compose cp" requires exactly 2 arguments`, 1);
    const [src, dest] = parsed.args.map(splitCpArg);
    if (src.container && dest.container) throw new StatusError('copying between services is not supported', 1);
    if (!src.container && !dest.container) throw new StatusError('unknown copy direction', 1);
    const service = (src.container ?? dest.container) as string;
    const project = await projectOrName(ctx, options);
    const client = await ctx.client();
    const index = Number(parsed.flags.index);
    let targets = index > 0 ? [await serviceContainer(client, project, service, index, true)] : await serviceContainers(client, project, service, Boolean(parsed.flags.all));
    if (targets.length === 0) throw new StatusError(`no container found for service "${service}"`, 1);
    if (src.container) targets = targets.slice(0, 1);
    const progress = progressFor(ctx);
    await Promise.all(targets.map(async (c) => {
      const name = nameOf(c);
      const what = src.container ? `${name}:${src.path} to ${dest.path}` : `${src.path} to ${name}:${dest.path}`;
      progress.event(containerId(name), 'Copying', what);
      if (src.container) await copyFromContainer(ctx, client, { container: c.Id, path: src.path }, dest.path, parsed.flags);
      else await copyToContainer(ctx, client, src.path, { container: c.Id, path: dest.path }, parsed.flags);
      progress.event(containerId(name), 'Copied', what);
    }));
    return 0;
  },
};

/** The service's containers, lowest number first; with --all its one-off (`run`) containers too. */
async function serviceContainers(client: BerthClient, project: Project, service: string, all: boolean): Promise<ContainerSummary[]> {
  const list = await client.listContainers({ all: true, filters: projectFilter(project.name) });
  return list
    .filter((c) => serviceOf(c) === service && (all || c.Labels?.[LABEL.oneoff] !== 'True'))
    .sort((a, b) => numberOf(a) - numberOf(b));
}

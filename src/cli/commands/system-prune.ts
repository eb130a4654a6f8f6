/**
 * `berth system prune`: docker's sequence of prunes — stopped containers,
 * unused networks, (with --volumes) unused anonymous volumes, then dangling
 * (with -a: all unused) images — each report printed as its own prune
 * command prints it, then the total. berthd keeps no build cache that a
 * prune could remove, so there is no build-cache step.
 */
import { pruneContainers } from '../../client/containers.js';
import { addFilter, filtersFromFlags } from '../../client/filters.js';
import { pruneImages } from '../../client/images.js';
import { pruneNetworks } from '../../client/networks.js';
import type { Filters } from '../../client/types.js';
import { pruneVolumes } from '../../client/volumes.js';
import type { ApiClient } from '../../client/client.js';
import { write, type CommandSpec } from '../command.js';
import { humanSize } from '../format/units.js';
import { confirm, filterFlag } from './common.js';

interface PruneStep {
  warning: (all: boolean) => string;
  run(api: ApiClient, filters: Filters, all: boolean): Promise<{ reclaimed: number; output: string }>;
}

const section = (title: string, lines: string[]) => (lines.length > 0 ? `${title}:\n${lines.map((l) => `${l}\n`).join('')}` : '');

const CONTAINERS: PruneStep = {
  warning: () => 'all stopped containers',
  async run(api, filters) {
    const report = await pruneContainers(api, filters);
    const deleted = report.ContainersDeleted ?? [];
    return { reclaimed: deleted.length > 0 ? report.SpaceReclaimed : 0, output: section('Deleted Containers', deleted) };
  },
};

const NETWORKS: PruneStep = {
  warning: () => 'all networks not used by at least one container',
  async run(api, filters) {
    const report = await pruneNetworks(api, filters);
    return { reclaimed: 0, output: section('Deleted Networks', report.NetworksDeleted ?? []) };
  },
};

const VOLUMES: PruneStep = {
  warning: () => 'all anonymous volumes not used by at least one container',
  async run(api, filters) {
    const report = await pruneVolumes(api, filters);
    const deleted = report.VolumesDeleted ?? [];
    return { reclaimed: deleted.length > 0 ? report.SpaceReclaimed : 0, output: section('Deleted Volumes', deleted) };
  },
};

const IMAGES: PruneStep = {
  warning: (all) => (all ? 'all images without at least one container associated to them' : 'all dangling images'),
  async run(api, filters, all) {
    const imageFilters = structuredClone(filters);
    addFilter(imageFilters, 'dangling', String(!all));
    const report = await pruneImages(api, imageFilters);
    const lines = (report.ImagesDeleted ?? []).map((d) => (d.Untagged ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`));
    return { reclaimed: report.SpaceReclaimed, output: section('Deleted Images', lines) };
  },
};

/** docker's confirmationTemplate: the warnings, the filters if any, then the question. */
function confirmation(steps: PruneStep[], all: boolean, filterValues: string[]): string {
  const warnings = steps.map((s) => `\n  - ${s.warning(all)}`).join('');
  const filters = filterValues.length > 0 ? `\n  Items to be pruned will be filtered with:${filterValues.map((f) => `\n  - ${f}`).join('')}\n` : '';
  return `WARNING! This will remove:${warnings}\n${filters}\nAre you sure you want to continue?`;
}

export const systemPruneCommand: CommandSpec = {
  path: 'system prune',
  aliases: ['system prune'],
  usage: '[OPTIONS]',
  short: 'Remove unused data',
  args: { kind: 'none' },
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Remove all unused images not just dangling ones' },
    { ...filterFlag('Provide filter values (e.g. "label=<key>=<value>")'), short: undefined },
    { long: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
    { long: 'volumes', type: 'bool', usage: 'Prune anonymous volumes' },
  ],
  async run(ctx, { flags }) {
    const all = Boolean(flags.all);
    const filterValues = flags.filter as string[];
    const steps = [CONTAINERS, NETWORKS, ...(flags.volumes ? [VOLUMES] : []), IMAGES];
    // Declining is not an error: docker exits 0 without a word.
    if (!flags.force && !(await confirm(ctx, confirmation(steps, all, filterValues)))) return 0;
    const client = await ctx.client();
    const filters = filtersFromFlags(filterValues);
    let reclaimed = 0;
    for (const step of steps) {
      const result = await step.run(client.api, filters, all);
      reclaimed += result.reclaimed;
      if (result.output) await write(ctx.stdout, `${result.output}\n`);
    }
    await write(ctx.stdout, `Total reclaimed space: ${humanSize(reclaimed)}\n`);
    return 0;
  },
};

/** `berth update`: resources and restart policy of existing containers. */
import type { UpdateResources } from '../../../client/container-types.js';
import { StatusError, type CommandSpec } from '../../command.js';
import type { FlagValues } from '../../flags.js';
import { parseRestartPolicy } from '../../opts/container.js';
import { memSwapBytes, parseNanoCpus, ramInBytes } from '../../opts/values.js';
import { forEachContainer } from './each.js';

function resources(flags: FlagValues, changed: ReadonlySet<string>): UpdateResources {
  const update: UpdateResources = {};
  if (changed.has('memory')) update.Memory = ramInBytes(flags.memory as string);
  if (changed.has('memory-swap')) update.MemorySwap = memSwapBytes(flags['memory-swap'] as string);
  if (changed.has('memory-reservation')) update.MemoryReservation = ramInBytes(flags['memory-reservation'] as string);
  if (changed.has('cpus')) update.NanoCpus = parseNanoCpus(flags.cpus as string);
  if (changed.has('cpu-shares')) update.CpuShares = flags['cpu-shares'] as number;
  if (changed.has('cpuset-cpus')) update.CpusetCpus = flags['cpuset-cpus'] as string;
  if (changed.has('pids-limit')) update.PidsLimit = flags['pids-limit'] as number;
  if (changed.has('restart')) {
    try {
      update.RestartPolicy = parseRestartPolicy(flags.restart as string);
    } catch (err) {
      throw new StatusError((err as Error).message, 1);
    }
  }
  return update;
}

const validated = (parse: (v: string) => unknown) => (v: string) => void parse(v);

export const updateCommand: CommandSpec = {
  path: 'container update',
  aliases: ['container update', 'update'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Update configuration of one or more containers',
  args: { kind: 'min', count: 1 },
  flags: [
    { long: 'cpu-shares', short: 'c', type: 'int', usage: 'CPU shares (relative weight)' },
    { long: 'cpus', type: 'string', usage: 'Number of CPUs', valueName: 'decimal', validate: validated(parseNanoCpus) },
    { long: 'cpuset-cpus', type: 'string', usage: 'CPUs in which to allow execution (0-3, 0,1)', valueName: 'string' },
    { long: 'memory', short: 'm', type: 'string', usage: 'Memory limit', valueName: 'bytes', validate: validated(ramInBytes) },
    { long: 'memory-reservation', type: 'string', usage: 'Memory soft limit', valueName: 'bytes', validate: validated(ramInBytes) },
    { long: 'memory-swap', type: 'string', usage: "Swap limit equal to memory plus swap: -1 to enable unlimited swap", valueName: 'bytes', validate: validated(memSwapBytes) },
    { long: 'pids-limit', type: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
    { long: 'restart', type: 'string', usage: 'Restart policy to apply when a container exits', valueName: 'string' },
  ],
  async run(ctx, { flags, args, changed }) {
    if (changed.size === 0) throw new StatusError('you must provide one or more flags when using this command', 1);
    const update = resources(flags, changed);
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (name) => {
      const { Warnings } = await client.updateContainer(name, update);
      for (const warning of Warnings ?? []) ctx.stderr.write(`${warning}\n`);
      return name;
    });
  },
};

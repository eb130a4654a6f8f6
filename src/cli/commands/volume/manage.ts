/** `berth volume create|inspect|rm|prune`. */
import { addFilter, filtersFromFlags } from '../../../client/filters.js';
import { createVolume, inspectVolume, pruneVolumes, removeVolume } from '../../../client/volumes.js';
import { write, type CommandSpec } from '../../command.js';
import { renderTemplate } from '../../format/template.js';
import { humanSize } from '../../format/units.js';
import { confirm, filterFlag, indentJson } from '../common.js';

const PRUNE_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const PRUNE_ALL_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

/** "k=v" list → object (docker's --label and -o). */
function keyValues(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 0) out[item] = '';
    else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const daemonError = (err: unknown) => `Error response from daemon: ${(err as Error).message}`;

export const volumeCreateCommand: CommandSpec = {
  path: 'volume create',
  aliases: ['volume create'],
  usage: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  args: { kind: 'max', count: 1 },
  flags: [
    { long: 'driver', short: 'd', type: 'string', usage: 'Specify volume driver name', default: 'local' },
    { long: 'label', type: 'stringArray', usage: 'Set metadata for a volume', valueName: 'list' },
    { long: 'opt', short: 'o', type: 'stringArray', usage: 'Set driver specific options', valueName: 'map' },
    { long: 'name', type: 'string', usage: 'Specify volume name' },
  ],
  async run(ctx, { flags, args }) {
    const flagName = flags.name as string;
    if (flagName && args.length > 0) {
      await write(ctx.stderr, 'Conflicting options: either specify --name or provide positional arg, not both\n');
      return 1;
    }
    const client = await ctx.client();
    const volume = await createVolume(client.api, {
      Name: args[0] ?? flagName,
      Driver: flags.driver as string,
      DriverOpts: keyValues(flags.opt as string[]),
      Labels: keyValues(flags.label as string[]),
    });
    await write(ctx.stdout, `${volume.Name}\n`);
    return 0;
  },
};

export const volumeInspectCommand: CommandSpec = {
  path: 'volume inspect',
  aliases: ['volume inspect'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  args: { kind: 'min', count: 1 },
  flags: [{ long: 'format', short: 'f', type: 'string', usage: 'Format output using a custom template' }],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const found: { value: unknown; raw: string }[] = [];
    const errors: string[] = [];
    for (const name of args) {
      try {
        found.push(await inspectVolume(client.api, name));
      } catch (err) {
        errors.push(daemonError(err));
      }
    }
    const format = flags.format as string;
    if (format) for (const v of found) await write(ctx.stdout, `${renderTemplate(format, v.value)}\n`);
    else await write(ctx.stdout, `${indentJson(`[${found.map((v) => v.raw.trim()).join(',')}]`)}\n`);
    // docker's inspect prints what it found first, then every failure.
    for (const error of errors) await write(ctx.stderr, `${error}\n`);
    return errors.length > 0 ? 1 : 0;
  },
};

export const volumeRmCommand: CommandSpec = {
  path: 'volume rm',
  aliases: ['volume rm', 'volume remove'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  args: { kind: 'min', count: 1 },
  flags: [{ long: 'force', short: 'f', type: 'bool', usage: 'Force the removal of one or more volumes' }],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const errors: string[] = [];
    for (const name of args) {
      try {
        await removeVolume(client.api, name, flags.force as boolean);
        await write(ctx.stdout, `${name}\n`);
      } catch (err) {
        errors.push(daemonError(err));
      }
    }
    for (const error of errors) await write(ctx.stderr, `${error}\n`);
    return errors.length > 0 ? 1 : 0;
  },
};

export const volumePruneCommand: CommandSpec = {
  path: 'volume prune',
  aliases: ['volume prune'],
  usage: '[OPTIONS]',
  short: 'Remove unused local volumes',
  args: { kind: 'exact', count: 0 },
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Remove all unused volumes, not just anonymous ones' },
    { ...filterFlag('Provide filter values (e.g. "label=<label>")'), short: undefined },
    { long: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  async run(ctx, { flags }) {
    const all = flags.all as boolean;
    const filters = filtersFromFlags(flags.filter as string[]);
    if (all) addFilter(filters, 'all', 'true');
    // Declining is not an error: docker exits 0 without a word.
    if (!flags.force && !(await confirm(ctx, all ? PRUNE_ALL_WARNING : PRUNE_WARNING))) return 0;
    const client = await ctx.client();
    const report = await pruneVolumes(client.api, filters);
    const deleted = report.VolumesDeleted ?? [];
    const output = deleted.length > 0 ? `Deleted Volumes:\n${deleted.map((name) => `${name}\n`).join('')}\n` : '';
    await write(ctx.stdout, `${output}Total reclaimed space: ${humanSize(deleted.length > 0 ? report.SpaceReclaimed : 0)}\n`);
    return 0;
  },
};

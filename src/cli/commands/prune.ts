/** `berth image prune`. */
import { addFilter, filtersFromFlags } from '../../client/filters.js';
import { write, type CommandSpec } from '../command.js';
import { humanSize } from '../format/units.js';
import { confirm, filterFlag } from './common.js';

const DANGLING_WARNING = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';

export const imagePruneCommand: CommandSpec = {
  path: 'image prune',
  aliases: ['image prune'],
  usage: '[OPTIONS]',
  short: 'Remove unused images',
  args: { kind: 'none' },
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Remove all unused images, not just dangling ones' },
    { ...filterFlag('Provide filter values (e.g. "until=<timestamp>")'), short: undefined },
    { long: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  async run(ctx, { flags }) {
    const all = flags.all as boolean;
    const filters = filtersFromFlags(flags.filter as string[]);
    addFilter(filters, 'dangling', String(!all));
    // Declining is not an error: docker exits 0 without a word.
    if (!flags.force && !(await confirm(ctx, all ? ALL_WARNING : DANGLING_WARNING))) return 0;
    const client = await ctx.client();
    const report = await client.pruneImages(filters);
    const deleted = report.ImagesDeleted ?? [];
    let output = '';
    if (deleted.length > 0) {
      output = 'Deleted Images:\n' + deleted.map((d) => (d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted}\n`)).join('') + '\n';
    }
    await write(ctx.stdout, `${output}Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`);
    return 0;
  },
};

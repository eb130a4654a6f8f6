/** `berth container prune`. */
import { filtersFromFlags } from '../../../client/filters.js';
import { write, type CommandSpec } from '../../command.js';
import { humanSize } from '../../format/units.js';
import { confirm, filterFlag } from '../common.js';

const WARNING = 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?';

export const containerPruneCommand: CommandSpec = {
  path: 'container prune',
  aliases: ['container prune'],
  usage: '[OPTIONS]',
  short: 'Remove all stopped containers',
  args: { kind: 'none' },
  flags: [
    { ...filterFlag('Provide filter values (e.g. "until=<timestamp>")'), short: undefined },
    { long: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  async run(ctx, { flags }) {
    // Declining is not an error: docker exits 0 without a word.
    if (!flags.force && !(await confirm(ctx, WARNING))) return 0;
    const client = await ctx.client();
    const report = await client.pruneContainers(filtersFromFlags(flags.filter as string[]));
    const deleted = report.ContainersDeleted ?? [];
    const output = deleted.length > 0 ? `Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}\n` : '';
    await write(ctx.stdout, `${output}Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`);
    return 0;
  },
};

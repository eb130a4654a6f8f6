/**
 * `berth compose top`: for each running container, its name and then its
 * processes in a table (compose v2's per-container form: tabwriter(5, 1, 3),
 * each row's cells tab-terminated, a blank line after each table).
 */
import { write } from '../../command.js';
import { tabwrite } from '../../format/table.js';
import { top } from '../../../compose/top.js';
import { projectOrName } from './project-or-name.js';
import type { ComposeSubcommand } from './subcommand.js';

export const topCommand: ComposeSubcommand = {
  name: 'top',
  usage: '[SERVICES...]',
  short: 'Display the running processes',
  flags: [],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    let out = '';
    for (const c of await top(await ctx.client(), project, parsed.args)) {
      const table = `${c.titles.join('\t')}\n${c.processes.map((p) => p.map((cell) => `${cell}\t`).join('')).join('\n')}\n\n`;
      out += `${c.name}\n${tabwrite(table, { minWidth: 5, padding: 3 })}`;
    }
    await write(ctx.stdout, out);
    return 0;
  },
};

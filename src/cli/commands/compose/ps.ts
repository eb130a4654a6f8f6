/** `berth compose ps`: the project's containers in compose v2's table (NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS). */
import { write } from '../../command.js';
import { tabwrite } from '../../format/table.js';
import { sinceUnix } from '../../format/units.js';
import { nameOf, projectContainers, serviceOf } from '../../../compose/containers.js';
import { commandCell, portsCell } from '../container/ps-rows.js';
import { openProject } from './options.js';
import type { ComposeSubcommand } from './subcommand.js';

export const psCommand: ComposeSubcommand = {
  name: 'ps',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'List containers',
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all stopped containers (including those created by the run command)' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs' },
    { long: 'services', type: 'bool', usage: 'Display services' },
  ],
  async run(ctx, parsed, options) {
    const project = openProject(ctx, options);
    const client = await ctx.client();
    const wanted = parsed.args;
    const containers = (await projectContainers(client, project.name, Boolean(parsed.flags.all)))
      .filter((c) => wanted.length === 0 || wanted.includes(serviceOf(c)))
      .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    if (parsed.flags.quiet) return print(ctx, containers.map((c) => c.Id));
    if (parsed.flags.services) return print(ctx, [...new Set(containers.map(serviceOf))]);
    const rows = containers.map((c) => [nameOf(c), c.Image, commandCell(c.Command, true), serviceOf(c), sinceUnix(c.Created), c.Status, portsCell(c.Ports)]);
    const lines = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS'], ...rows].map((r) => `${r.join('\t')}\n`);
    await write(ctx.stdout, tabwrite(lines.join('')));
    return 0;
  },
};

async function print(ctx: Parameters<ComposeSubcommand['run']>[0], lines: string[]): Promise<number> {
  await write(ctx.stdout, lines.map((l) => `${l}\n`).join(''));
  return 0;
}

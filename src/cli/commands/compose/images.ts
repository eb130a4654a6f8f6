/** `berth compose images`: the images the project's containers use (CONTAINER REPOSITORY TAG IMAGE ID SIZE). */
import { write } from '../../command.js';
import { humanSizeWithPrecision } from '../../format/units.js';
import { containerImages } from '../../../compose/image-list.js';
import { projectOrName } from './project-or-name.js';
import { checkFormat, composeTable } from './table.js';
import type { ComposeSubcommand } from './subcommand.js';

export const imagesCommand: ComposeSubcommand = {
  name: 'images',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'List images used by the created containers',
  flags: [
    { long: 'format', type: 'string', default: 'table', usage: 'Format the output. Values: [table | json]' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs' },
  ],
  async run(ctx, parsed, options) {
    const format = checkFormat(parsed.flags.format as string);
    const project = await projectOrName(ctx, options, parsed.args);
    const images = await containerImages(await ctx.client(), project, parsed.args);
    if (parsed.flags.quiet) {
      const ids = [...new Set(images.map((i) => i.ID.replace(/^[^:]*:/, '')))];
      await write(ctx.stdout, ids.map((id) => `${id}\n`).join(''));
    } else if (format === 'json') {
      await write(ctx.stdout, `${JSON.stringify(images)}\n`);
    } else {
      const rows = images.map((i) => [
        i.ContainerName, i.Repository || '<none>', i.Tag || '<none>', i.ID.replace(/^sha256:/, '').slice(0, 12), humanSizeWithPrecision(i.Size, 3),
      ]);
      await write(ctx.stdout, composeTable(['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], rows));
    }
    return 0;
  },
};

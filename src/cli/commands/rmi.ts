/** `berth rmi` / `berth image rm`: removes each image, reporting all failures at the end. */
import { write, StatusError, type CommandSpec } from '../command.js';
import { describeError } from './errors.js';

export const rmiCommand: CommandSpec = {
  path: 'image rm',
  aliases: ['image rm', 'image remove', 'rmi'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  args: { kind: 'min', count: 1 },
  flags: [
    { long: 'force', short: 'f', type: 'bool', usage: 'Force removal of the image' },
    { long: 'no-prune', type: 'bool', usage: 'Do not delete untagged parents' },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const force = flags.force as boolean;
    const errors: string[] = [];
    for (const name of args) {
      try {
        const items = await client.removeImage(name, { force, noPrune: flags['no-prune'] as boolean });
        for (const item of items) {
          await write(ctx.stdout, item.Deleted ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged}\n`);
        }
      } catch (err) {
        // As docker: with --force, images that do not exist are not an error.
        if (force && (err as { kind?: string }).kind === 'notFound') continue;
        errors.push(describeError(err, ctx.host));
      }
    }
    if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
    return 0;
  },
};

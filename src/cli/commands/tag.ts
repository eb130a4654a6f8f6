/** `berth tag` / `berth image tag`. */
import type { CommandSpec } from '../command.js';

export const tagCommand: CommandSpec = {
  path: 'image tag',
  aliases: ['image tag', 'tag'],
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { kind: 'exact', count: 2 },
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    await client.tagImage(args[0], args[1]);
    return 0;
  },
};

/** `berth create` / `berth container create`. */
import { write, type CommandSpec } from '../../command.js';
import { CONTAINER_FLAGS } from './create-flags.js';
import { prepareCreate, writeCidfile } from './prepare.js';
import { createWithPull } from './pull.js';

export const createCommand: CommandSpec = {
  path: 'container create',
  aliases: ['container create', 'create'],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  flags: CONTAINER_FLAGS,
  async run(ctx, parsed) {
    const prepared = prepareCreate(ctx, parsed, 'create');
    const client = await ctx.client();
    const created = await createWithPull(ctx, client, prepared.request, { name: prepared.name, pull: prepared.pull, quiet: parsed.flags.quiet as boolean });
    for (const warning of created.Warnings ?? []) await write(ctx.stderr, `WARNING: ${warning}\n`);
    writeCidfile(prepared.cidfile, created.Id);
    await write(ctx.stdout, `${created.Id}\n`);
    return 0;
  },
};

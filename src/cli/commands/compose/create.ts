/** `berth compose create`: what `up` does before it starts anything (images, networks, volumes, containers). */
import { create } from '../../../compose/up.js';
import { applyConvergeFlags, checkConvergeFlags, CONVERGE_FLAGS, imageOptions, recreatePolicy } from './converge-flags.js';
import { openProject } from './options.js';
import { progressFor, warner } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const createCommand: ComposeSubcommand = {
  name: 'create',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Creates containers for a service.',
  flags: CONVERGE_FLAGS,
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    checkConvergeFlags(flags);
    const services = parsed.args.length ? parsed.args : undefined;
    const project = openProject(ctx, options, { services });
    applyConvergeFlags(project, flags);
    const client = await ctx.client();
    await create(client, project, progressFor(ctx), {
      ...imageOptions(ctx),
      services,
      removeOrphans: Boolean(flags['remove-orphans']),
      recreate: recreatePolicy(flags),
      warn: warner(ctx),
    });
    return 0;
  },
};

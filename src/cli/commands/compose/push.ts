/** `berth compose push`: push the images of the services that are built (have `build` and `image`). */
import { write } from '../../command.js';
import { namedOrAll } from '../../../compose/graph.js';
import { pushServices } from '../../../compose/pull.js';
import { openProject } from './options.js';
import { progressFor } from './progress-sink.js';
import { authForImage } from './registry-auth.js';
import type { ComposeSubcommand } from './subcommand.js';

export const pushCommand: ComposeSubcommand = {
  name: 'push',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Push service images',
  flags: [
    { long: 'ignore-push-failures', type: 'bool', usage: 'Push what it can and ignores images with push failures' },
    { long: 'include-deps', type: 'bool', usage: 'Also push images of services declared as dependencies' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Push without printing progress information' },
  ],
  async run(ctx, parsed, options) {
    const project = openProject(ctx, options, { services: parsed.args });
    const { services } = project.model;
    const selected = namedOrAll(services, parsed.args, Boolean(parsed.flags['include-deps']));
    const ignored = await pushServices(await ctx.client(), project, progressFor(ctx), {
      services: selected,
      quiet: Boolean(parsed.flags.quiet),
      ignoreFailures: Boolean(parsed.flags['ignore-push-failures']),
      auth: authForImage,
    });
    // compose's TailMsgf: after the progress, one line per failure it let pass.
    if (ignored.length > 0) await write(ctx.stderr, ignored.map((l) => `${l}\n`).join(''));
    return 0;
  },
};

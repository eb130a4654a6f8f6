/** `berth compose build`: build (or rebuild) the services that have a `build` section, through the engine's POST /build. */
import { StatusError } from '../../command.js';
import { buildServices } from '../../../compose/build.js';
import { selected } from '../../../compose/up.js';
import { buildArgsFrom } from '../build.js';
import { imageOptions } from './converge-flags.js';
import { openProject } from './options.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const buildCommand: ComposeSubcommand = {
  name: 'build',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Build or rebuild services',
  flags: [
    { long: 'build-arg', type: 'stringArray', usage: 'Set build-time variables for services.' },
    { long: 'no-cache', type: 'bool', usage: 'Do not use cache when building the image' },
    { long: 'pull', type: 'bool', usage: 'Always attempt to pull a newer version of the image.' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Don\'t print anything to STDOUT' },
  ],
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    const project = openProject(ctx, options, { services: parsed.args.length ? parsed.args : undefined });
    for (const name of parsed.args) if (!project.model.services[name]) throw new StatusError(`no such service: ${name}`, 1);
    // Named services only (not what they depend on), in dependency order, those with something to build.
    const services = selected(project, parsed.args.length ? parsed.args : undefined, true).filter((s) => project.model.services[s].build);
    const client = await ctx.client();
    const images = imageOptions(ctx);
    await buildServices(client, project, services, progressFor(ctx), {
      ...images,
      buildOutput: flags.quiet ? undefined : images.buildOutput,
      noCache: Boolean(flags['no-cache']),
      pullBase: Boolean(flags.pull),
      buildArgs: buildArgsFrom(flags['build-arg'] as string[], ctx.env),
    });
    return 0;
  },
};

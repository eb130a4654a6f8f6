/** `berth compose pull`: pull the services' images, honouring pull_policy. */
import { write } from '../../command.js';
import { namedOrAll } from '../../../compose/graph.js';
import { pullServices } from '../../../compose/pull.js';
import { openProject } from './options.js';
import { progressFor } from './progress-sink.js';
import { authForImage } from './registry-auth.js';
import type { ComposeSubcommand } from './subcommand.js';
import { PROGRAM } from '../../version-info.js';

export const pullCommand: ComposeSubcommand = {
  name: 'pull',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Pull service images',
  flags: [
    { long: 'ignore-buildable', type: 'bool', usage: 'Ignore images that can be built' },
    { long: 'ignore-pull-failures', type: 'bool', usage: 'Pull what it can and ignores images with pull failures' },
    { long: 'include-deps', type: 'bool', usage: 'Also pull services declared as dependencies' },
    { long: 'policy', type: 'string', usage: 'Apply pull policy ("missing"|"always")' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Pull without printing progress information' },
  ],
  async run(ctx, parsed, options) {
    const project = openProject(ctx, options, { services: parsed.args });
    const { services } = project.model;
    const selected = namedOrAll(services, parsed.args, Boolean(parsed.flags['include-deps']));
    // As compose v2: the policy replaces every image's pull_policy, whatever the file says.
    const policy = parsed.flags.policy as string | undefined;
    if (policy) for (const service of Object.values(services)) if (service.image) service.pull_policy = policy;
    const { mustBuild, failure } = await pullServices(await ctx.client(), project, progressFor(ctx), {
      services: selected,
      quiet: Boolean(parsed.flags.quiet),
      ignoreFailures: Boolean(parsed.flags['ignore-pull-failures']),
      ignoreBuildable: Boolean(parsed.flags['ignore-buildable']),
      auth: authForImage,
    });
    if (mustBuild.length > 0) {
      await write(ctx.stderr, `WARNING: Some service image(s) must be built from source by running:\n    ${PROGRAM} compose build ${mustBuild.join(' ')}\n`);
    }
    if (failure !== undefined) throw failure;
    return 0;
  },
};

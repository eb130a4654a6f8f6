/**
 * `berth compose scale SERVICE=NUM...`: compose v2's scale command, and
 * docker-compose 1.29's: the named services (and, unless --no-deps, what they
 * depend on) converged and started with that many containers each.
 */
import { StatusError } from '../../command.js';
import { applyScale } from '../../../compose/scale.js';
import { up } from '../../../compose/up.js';
import { imageOptions } from './converge-flags.js';
import { openProject } from './options.js';
import { progressFor, warner } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const scaleCommand: ComposeSubcommand = {
  name: 'scale',
  usage: '[SERVICE=REPLICAS...]',
  short: 'Scale services ',
  flags: [{ long: 'no-deps', type: 'bool', usage: 'Don\'t start linked services' }],
  async run(ctx, parsed, options) {
    if (parsed.args.length === 0) throw new StatusError('requires at least 1 argument', 1);
    const project = openProject(ctx, options);
    const services = applyScale(project, parsed.args);
    const client = await ctx.client();
    await up(client, project, progressFor(ctx), { ...imageOptions(ctx), services, noDeps: Boolean(parsed.flags['no-deps']), warn: warner(ctx) });
    return 0;
  },
};

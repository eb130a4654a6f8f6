/**
 * `berth compose rm`: remove the services' stopped containers (after
 * stopping them with -s); without -f it asks first, as compose v2 does.
 */
import { createInterface } from 'node:readline';
import { write, type CommandContext } from '../../command.js';
import { nameOf } from '../../../compose/containers.js';
import { remove, removable, stop } from '../../../compose/ops.js';
import { projectOrName } from './project-or-name.js';
import { progressFor } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const rmCommand: ComposeSubcommand = {
  name: 'rm',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Removes stopped service containers',
  flags: [
    { long: 'force', short: 'f', type: 'bool', usage: "Don't ask to confirm removal" },
    { long: 'stop', short: 's', type: 'bool', usage: 'Stop the containers, if required, before removing' },
    { long: 'volumes', short: 'v', type: 'bool', usage: 'Remove any anonymous volumes attached to containers' },
  ],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    const client = await ctx.client();
    const progress = progressFor(ctx);
    if (parsed.flags.stop) await stop(client, project, progress, parsed.args);
    const doomed = await removable(client, project, parsed.args);
    if (doomed.length === 0) {
      await write(ctx.stderr, 'No stopped containers\n');
      return 0;
    }
    const message = `Going to remove ${doomed.map(nameOf).join(', ')}`;
    if (parsed.flags.force) await write(ctx.stdout, `${message}\n`);
    else if (!(await confirm(ctx, message))) return 0;
    await remove(client, doomed, progress, Boolean(parsed.flags.volumes));
    return 0;
  },
};

/** compose v2's prompt on a pipe: the question, then one line of answer; only yes removes. */
async function confirm(ctx: CommandContext, message: string): Promise<boolean> {
  await write(ctx.stdout, `${message} [y/N] `);
  const lines = createInterface({ input: ctx.stdin });
  try {
    for await (const line of lines) return /^(y|yes|true|1)$/i.test(line.trim());
    return false;
  } finally {
    lines.close();
  }
}

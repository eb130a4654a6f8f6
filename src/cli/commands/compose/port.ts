/** `berth compose port`: the public address of a service container's port. */
import { StatusError, write } from '../../command.js';
import { port } from '../../../compose/port.js';
import { projectOrName } from './project-or-name.js';
import type { ComposeSubcommand } from './subcommand.js';

export const portCommand: ComposeSubcommand = {
  name: 'port',
  usage: '[OPTIONS] SERVICE PRIVATE_PORT',
  short: 'Print the public port for a port binding',
  flags: [
    { long: 'index', type: 'int', default: 0, usage: 'Index of the container if service has multiple replicas' },
    { long: 'protocol', type: 'string', default: 'tcp', usage: 'tcp or udp' },
  ],
  async run(ctx, parsed, options) {
    if (parsed.args.length !== 2) throw new StatusError(`"compose port" requires exactly 2 arguments`, 1);
    const [service, text] = parsed.args;
    // strconv.ParseUint(…, 10, 16): digits only, at most 65535.
    if (!/^\d+$/.test(text) || Number(text) > 65535) throw new StatusError(`strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`, 1);
    const project = await projectOrName(ctx, options);
    const address = await port(await ctx.client(), project, service, Number(text), {
      protocol: parsed.flags.protocol as string,
      index: Number(parsed.flags.index),
    });
    await write(ctx.stdout, `${address}\n`);
    return 0;
  },
};

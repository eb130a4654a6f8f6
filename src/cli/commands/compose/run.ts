/** `berth compose run`: a one-off container of a service, started and streamed through `berth run`'s own code. */
import { StatusError } from '../../command.js';
import { createOneOff, prepareOneOff, type RunOptions } from '../../../compose/run.js';
import { shellSplit } from '../../../compose/canonical.js';
import { runAttached, startDetached } from '../container/run.js';
import { openProject } from './options.js';
import { progressFor, warner } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

export const runCommand: ComposeSubcommand = {
  name: 'run',
  usage: '[OPTIONS] SERVICE [COMMAND] [ARGS...]',
  short: 'Run a one-off command on a service',
  interspersed: false,
  flags: [
    { long: 'detach', short: 'd', type: 'bool', usage: 'Run container in background and print container ID' },
    { long: 'entrypoint', type: 'string', usage: 'Override the entrypoint of the image' },
    { long: 'env', short: 'e', type: 'stringArray', usage: 'Set environment variables' },
    { long: 'interactive', short: 'i', type: 'bool', default: true, usage: 'Keep STDIN open even if not attached' },
    { long: 'label', short: 'l', type: 'stringArray', usage: 'Add or override a label' },
    { long: 'name', type: 'string', usage: 'Assign a name to the container' },
    { long: 'no-TTY', short: 'T', type: 'bool', usage: 'Disable pseudo-TTY allocation (default: auto-detected)' },
    { long: 'no-deps', type: 'bool', usage: "Don't start linked services" },
    { long: 'publish', short: 'p', type: 'stringArray', usage: "Publish a container's port(s) to the host" },
    { long: 'rm', type: 'bool', usage: 'Automatically remove the container when it exits' },
    { long: 'service-ports', type: 'bool', usage: "Run command with all service's ports enabled and mapped to the host" },
    { long: 'tty', short: 't', type: 'bool', default: true, usage: 'Allocate a pseudo-TTY' },
    { long: 'user', short: 'u', type: 'string', usage: 'Run as specified username or uid' },
    { long: 'volume', short: 'v', type: 'stringArray', usage: 'Bind mount a volume' },
    { long: 'workdir', short: 'w', type: 'string', usage: 'Working directory inside the container' },
  ],
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    const [service, ...command] = parsed.args;
    if (!service) throw new StatusError('requires at least 1 arg(s), only received 0', 1);
    const detach = Boolean(flags.detach);
    const project = openProject(ctx, options, { services: [service] });
    const o: RunOptions = {
      service, command, detach,
      entrypoint: parsed.changed.has('entrypoint') ? shellSplit(flags.entrypoint as string) : undefined,
      env: flags.env as string[], labels: flags.label as string[], name: (flags.name as string | undefined) || undefined,
      user: flags.user as string | undefined, workdir: flags.workdir as string | undefined,
      volumes: flags.volume as string[], publish: flags.publish as string[], servicePorts: Boolean(flags['service-ports']),
      // A TTY when stdin is a terminal, unless -T: compose v2's default.
      tty: !flags['no-TTY'] && Boolean(flags.tty) && Boolean(ctx.stdin.isTTY),
      interactive: Boolean(flags.interactive), rm: Boolean(flags.rm),
    };
    const client = await ctx.client();
    await prepareOneOff(client, project, service, Boolean(flags['no-deps']), progressFor(ctx), warner(ctx));
    const { id, request } = await createOneOff(client, project, o);
    if (detach) return startDetached(ctx, client, id);
    return runAttached(ctx, client, id, request, { flags: { 'detach-keys': '', 'sig-proxy': true }, changed: new Set(), args: [] });
  },
};

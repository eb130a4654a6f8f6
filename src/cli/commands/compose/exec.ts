/** `berth compose exec`: a command in a service's running container, through `berth exec`'s own code. */
import { StatusError } from '../../command.js';
import { expandEnv } from '../../opts/files.js';
import { serviceContainer } from '../../../compose/exec.js';
import { execIn } from '../container/exec.js';
import { openProject } from './options.js';
import type { ComposeSubcommand } from './subcommand.js';

export const execCommand: ComposeSubcommand = {
  name: 'exec',
  usage: '[OPTIONS] SERVICE COMMAND [ARGS...]',
  short: 'Execute a command in a running container',
  interspersed: false,
  flags: [
    { long: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: Run command in the background' },
    { long: 'env', short: 'e', type: 'stringArray', usage: 'Set environment variables' },
    { long: 'index', type: 'int', default: 0, usage: 'Index of the container if service has multiple replicas' },
    { long: 'interactive', short: 'i', type: 'bool', default: true, usage: 'Keep STDIN open even if not attached' },
    { long: 'no-TTY', short: 'T', type: 'bool', usage: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.' },
    { long: 'privileged', type: 'bool', usage: 'Give extended privileges to the process' },
    { long: 'tty', short: 't', type: 'bool', default: true, usage: 'Allocate a pseudo-TTY' },
    { long: 'user', short: 'u', type: 'string', usage: 'Run the command as this user' },
    { long: 'workdir', short: 'w', type: 'string', usage: 'Path to workdir directory for this command' },
  ],
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    const [service, ...cmd] = parsed.args;
    if (!service || cmd.length === 0) throw new StatusError('requires at least 2 arguments', 1);
    const project = openProject(ctx, options);
    const client = await ctx.client();
    const container = await serviceContainer(client, project, service, Number(flags.index) || 1);
    // A TTY only when asked for (the default) and compose's stdin is a terminal, as compose v2 decides.
    const tty = !flags['no-TTY'] && Boolean(flags.tty) && Boolean(ctx.stdin.isTTY);
    return execIn(ctx, container, cmd, {
      detach: Boolean(flags.detach), tty, interactive: Boolean(flags.interactive) && !flags.detach,
      env: (flags.env as string[]).map((e) => expandEnv(e, ctx.env)), user: flags.user as string | undefined,
      privileged: Boolean(flags.privileged), workdir: flags.workdir as string | undefined,
    });
  },
};

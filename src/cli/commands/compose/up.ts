/** `berth compose up`: create and start the project's containers, detached or following their output. */
import { StatusError } from '../../command.js';
import type { FlagSpec, ParsedArgs } from '../../flags.js';
import { create, selected, up } from '../../../compose/up.js';
import { runAttached } from './attached.js';
import { applyConvergeFlags, checkConvergeFlags, CONVERGE_FLAGS, imageOptions, recreatePolicy } from './converge-flags.js';
import { openProject } from './options.js';
import type { Project } from '../../../compose/project.js';
import { progressFor, timeoutFlag, warner } from './progress-sink.js';
import type { ComposeSubcommand } from './subcommand.js';

const UP_FLAGS: FlagSpec[] = [
  ...CONVERGE_FLAGS,
  { long: 'abort-on-container-exit', type: 'bool', usage: 'Stops all containers if any container was stopped. Incompatible with -d' },
  { long: 'attach', type: 'stringArray', usage: 'Restrict attaching to the specified services. Incompatible with --attach-dependencies.' },
  { long: 'attach-dependencies', type: 'bool', usage: 'Automatically attach to log output of dependent services' },
  { long: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: Run containers in the background' },
  { long: 'exit-code-from', type: 'string', usage: 'Return the exit code of the selected service container. Implies --abort-on-container-exit' },
  { long: 'no-attach', type: 'stringArray', usage: 'Do not attach (stream logs) to the specified services' },
  { long: 'no-color', type: 'bool', usage: 'Produce monochrome output' },
  { long: 'no-deps', type: 'bool', usage: 'Don\'t start linked services' },
  { long: 'no-log-prefix', type: 'bool', usage: 'Don\'t print prefix in logs' },
  { long: 'no-start', type: 'bool', usage: 'Don\'t start the services after creating them' },
  { long: 'renew-anon-volumes', short: 'V', type: 'bool', usage: 'Recreate anonymous volumes instead of retrieving data from the previous containers' },
  { long: 'timeout', short: 't', type: 'int', usage: 'Use this timeout in seconds for container shutdown when attached or when containers are already running' },
  { long: 'timestamps', type: 'bool', usage: 'Show timestamps' },
  { long: 'wait', type: 'bool', usage: 'Wait for services to be running|healthy. Implies detached mode.' },
  { long: 'wait-timeout', type: 'int', usage: 'Maximum duration to wait for the project to be running|healthy' },
];

/** compose v2's checks of flags that exclude each other, with its words. */
function checkUpFlags(flags: ParsedArgs['flags']): void {
  checkConvergeFlags(flags);
  const cascade = flags['abort-on-container-exit'] || flags['exit-code-from'];
  const attach = (flags.attach as string[]).length > 0 || flags['attach-dependencies'];
  if (flags.wait && (cascade || attach)) throw new StatusError('--wait cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies', 1);
  if (flags.detach && (cascade || attach)) throw new StatusError('--detach cannot be combined with --abort-on-container-exit, --attach or --attach-dependencies', 1);
  if ((flags.attach as string[]).length > 0 && flags['attach-dependencies']) throw new StatusError('cannot combine --attach and --attach-dependencies', 1);
}

export const upCommand: ComposeSubcommand = {
  name: 'up',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Create and start containers',
  flags: UP_FLAGS.sort((a, b) => a.long.localeCompare(b.long)),
  async run(ctx, parsed, options) {
    const { flags } = parsed;
    checkUpFlags(flags);
    const services = parsed.args.length ? parsed.args : undefined;
    const project = openProject(ctx, options, { services });
    applyConvergeFlags(project, flags);
    const exitCodeFrom = (flags['exit-code-from'] as string) || undefined;
    if (exitCodeFrom && !project.model.services[exitCodeFrom]) throw new StatusError(`no such service: ${exitCodeFrom}`, 1);
    const client = await ctx.client();
    const progress = progressFor(ctx);
    const upOptions = {
      ...imageOptions(ctx),
      removeOrphans: Boolean(flags['remove-orphans']),
      services,
      noDeps: Boolean(flags['no-deps']),
      noStart: Boolean(flags['no-start']),
      recreate: recreatePolicy(flags),
      renewAnonVolumes: Boolean(flags['renew-anon-volumes']),
      timeout: timeoutFlag(flags, parsed.changed),
      wait: Boolean(flags.wait),
      waitTimeout: Number(flags['wait-timeout'] ?? 0),
      warn: warner(ctx),
    };
    if (flags.detach || flags.wait || flags['no-start']) {
      await up(client, project, progress, upOptions);
      return 0;
    }
    const followed = attachTo(project, flags, services);
    const created = await create(client, project, progress, upOptions);
    return runAttached(ctx, client, project, created, progress, {
      attachTo: followed,
      cascade: Boolean(flags['abort-on-container-exit'] || exitCodeFrom),
      exitCodeFrom,
      color: Boolean(ctx.stdout.isTTY) && !flags['no-color'],
      prefix: !flags['no-log-prefix'],
      timestamps: Boolean(flags.timestamps),
      timeout: upOptions.timeout,
    });
  },
};

/**
 * The services whose output is followed (compose v2's runUp): --attach's (all
 * of them brought up), else the named services (all when none is) and, with
 * --attach-dependencies, what they depend on, less those marked `attach:
 * false`; --no-attach's taken out of either.
 */
function attachTo(project: Project, flags: ParsedArgs['flags'], services: string[] | undefined): string[] {
  const only = flags.attach as string[];
  const not = new Set(flags['no-attach'] as string[]);
  if (only.length) {
    const brought = new Set(selected(project, services, Boolean(flags['no-deps'])));
    const outside = only.filter((s) => !brought.has(s));
    if (outside.length) throw new StatusError(`cannot attach to services not included in up: ${outside.join(', ')}`, 1);
    return only.filter((s) => !not.has(s));
  }
  const wanted = flags['attach-dependencies'] ? selected(project, services, Boolean(flags['no-deps'])) : services ?? Object.keys(project.model.services);
  return wanted.filter((s) => project.model.services[s]?.attach !== false && !not.has(s));
}

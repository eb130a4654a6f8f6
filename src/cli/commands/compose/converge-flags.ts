/**
 * What `up` and `create` share: the flags that decide how images are made
 * and containers converged, and how they become compose's options and
 * changes to the model (compose v2 applies --pull, --build and --no-build to
 * the services' pull_policy and build sections, and --scale to their scale).
 */
import { StatusError, type CommandContext } from '../../command.js';
import type { FlagSpec, ParsedArgs } from '../../flags.js';
import { prepareBuildContext } from '../build-context.js';
import type { ImageOptions } from '../../../compose/build.js';
import type { RecreatePolicy } from '../../../compose/converge.js';
import type { Project } from '../../../compose/project.js';
import { applyScale } from '../../../compose/scale.js';

export const CONVERGE_FLAGS: FlagSpec[] = [
  { long: 'build', type: 'bool', usage: 'Build images before starting containers.' },
  { long: 'force-recreate', type: 'bool', usage: 'Recreate containers even if their configuration and image haven\'t changed.' },
  { long: 'no-build', type: 'bool', usage: 'Don\'t build an image, even if it\'s missing.' },
  { long: 'no-recreate', type: 'bool', usage: 'If containers already exist, don\'t recreate them. Incompatible with --force-recreate.' },
  { long: 'pull', type: 'string', default: 'policy', usage: 'Pull image before running ("always"|"missing"|"never")' },
  { long: 'remove-orphans', type: 'bool', usage: 'Remove containers for services not defined in the Compose file.' },
  { long: 'scale', type: 'stringArray', valueName: 'scale', usage: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.' },
];

export function checkConvergeFlags(flags: ParsedArgs['flags']): void {
  if (flags.build && flags['no-build']) throw new StatusError('--build and --no-build are incompatible', 1);
  if (flags['force-recreate'] && flags['no-recreate']) throw new StatusError('--force-recreate and --no-recreate are incompatible', 1);
  const pull = flags.pull as string;
  if (!['policy', 'always', 'missing', 'never', 'build'].includes(pull)) throw new StatusError(`invalid --pull option ${JSON.stringify(pull)}`, 1);
}

export function recreatePolicy(flags: ParsedArgs['flags']): RecreatePolicy {
  if (flags['force-recreate']) return 'force';
  return flags['no-recreate'] ? 'never' : 'diverged';
}

/** --scale, --pull, --build and --no-build, applied to the loaded model. */
export function applyConvergeFlags(project: Project, flags: ParsedArgs['flags']): void {
  applyScale(project, flags.scale as string[]);
  for (const service of Object.values(project.model.services)) {
    if (flags['no-build']) delete service.build;
    else if (flags.build && service.build) service.pull_policy = 'build';
    if (flags.pull !== 'policy' && !(flags.build && service.build)) service.pull_policy = flags.pull;
  }
}

/** How the CLI builds: contexts packed as `berth build` packs them, the daemon's output on stdout. */
export function imageOptions(ctx: CommandContext): ImageOptions {
  return {
    packContext: (contextDir, dockerfile) => prepareBuildContext({ context: contextDir, dockerfile, stdin: ctx.stdin }),
    buildOutput: (msg) => {
      if (msg.stream !== undefined) ctx.stdout.write(msg.stream);
      else if (msg.status !== undefined && !msg.progressDetail) ctx.stdout.write(`${msg.status}\n`);
    },
  };
}

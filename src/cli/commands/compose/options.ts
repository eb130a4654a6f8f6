/**
 * The flags every `berth compose` command shares (docker compose v2's
 * top-level flags) and how they become a loaded project.
 */
import type { CommandContext } from '../../command.js';
import type { FlagSpec, FlagValues } from '../../flags.js';
import { loadProject, type Project } from '../../../compose/project.js';

export const COMPOSE_FLAGS: FlagSpec[] = [
  { long: 'env-file', type: 'stringArray', usage: 'Specify an alternate environment file' },
  { long: 'file', short: 'f', type: 'stringArray', usage: 'Compose configuration files' },
  { long: 'profile', type: 'stringArray', usage: 'Specify a profile to enable' },
  { long: 'project-directory', type: 'string', usage: 'Specify an alternate working directory\n(default: the path of the, first specified, Compose file)' },
  { long: 'project-name', short: 'p', type: 'string', usage: 'Project name' },
];

export interface ComposeOptions {
  files: string[];
  projectName?: string;
  projectDirectory?: string;
  envFiles: string[];
  profiles: string[];
}

export function composeOptions(flags: FlagValues): ComposeOptions {
  return {
    files: flags.file as string[],
    projectName: (flags['project-name'] as string | undefined) || undefined,
    projectDirectory: (flags['project-directory'] as string | undefined) || undefined,
    envFiles: flags['env-file'] as string[],
    profiles: (flags.profile as string[]).flatMap((p) => p.split(',')).filter(Boolean),
  };
}

/** Loads the project; warnings go to stderr as compose prints them. */
export function openProject(ctx: CommandContext, options: ComposeOptions, extra: { services?: string[]; profiles?: string[]; interpolate?: boolean } = {}): Project {
  return loadProject({
    files: options.files,
    projectName: options.projectName,
    projectDirectory: options.projectDirectory,
    envFiles: options.envFiles,
    profiles: extra.profiles ?? options.profiles,
    services: extra.services,
    interpolate: extra.interpolate,
    env: ctx.env,
    warn: (message) => ctx.stderr.write(`WARN[0000] ${message}\n`),
  });
}

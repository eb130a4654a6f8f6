/**
 * The flags every `berth compose` command shares (docker compose v2's
 * top-level flags) and how they become a loaded project.
 */
import { StatusError, type CommandContext } from '../../command.js';
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
export function openProject(ctx: CommandContext, options: ComposeOptions, extra: { services?: string[]; profiles?: string[]; interpolate?: boolean; consistency?: boolean } = {}): Project {
  try {
    return load(ctx, options, extra);
  } catch (err) {
    throw loadFailure(err);
  }
}

/** What compose v2's WrapComposeError says of a file it cannot find: exit code 14 (others that stop the load: 15). */
const FILE_NOT_FOUND = ['no configuration file provided', 'not found', 'no such file or directory'];
/** A missing --env-file is refused before the load, with exit code 1. */
const MISSING_ENV_FILE = "Couldn't find env file";

/** A project that cannot be loaded, with compose v2's exit code (14: a file is missing; 15: the project is invalid). */
function loadFailure(err: unknown): unknown {
  if (!(err instanceof Error) || err instanceof StatusError) return err;
  const message = err.message;
  if (message.startsWith(MISSING_ENV_FILE)) return new StatusError(message, 1);
  return new StatusError(message, FILE_NOT_FOUND.some((m) => message.includes(m)) ? NO_FILE_STATUS : INVALID_PROJECT_STATUS);
}

export const NO_FILE_STATUS = 14;
const INVALID_PROJECT_STATUS = 15;

function load(ctx: CommandContext, options: ComposeOptions, extra: { services?: string[]; profiles?: string[]; interpolate?: boolean; consistency?: boolean }): Project {
  return loadProject({
    files: options.files,
    projectName: options.projectName,
    projectDirectory: options.projectDirectory,
    envFiles: options.envFiles,
    profiles: extra.profiles ?? options.profiles,
    services: extra.services,
    interpolate: extra.interpolate,
    consistency: extra.consistency,
    env: ctx.env,
    warn: (message) => ctx.stderr.write(`WARN[0000] ${message}\n`),
  });
}

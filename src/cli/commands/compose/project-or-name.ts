/**
 * compose v2's projectOrName: commands on an existing project (start, stop,
 * ps, …) load the compose file when there is one; with `-p NAME` and no file
 * they work from the project's container labels instead.
 */
import { StatusError, type CommandContext } from '../../command.js';
import { projectFromLabels } from '../../../compose/from-labels.js';
import type { Project } from '../../../compose/project.js';
import { NO_FILE_STATUS, openProject, type ComposeOptions } from './options.js';

export async function projectOrName(ctx: CommandContext, options: ComposeOptions, services: string[] = []): Promise<Project> {
  try {
    return openProject(ctx, options, { services });
  } catch (err) {
    const noFile = err instanceof StatusError && err.exitCode === NO_FILE_STATUS && err.message.startsWith('no configuration file provided');
    if (!noFile || !options.projectName || options.files.length > 0) throw err;
    return projectFromLabels(await ctx.client(), options.projectName);
  }
}

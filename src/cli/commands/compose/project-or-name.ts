/**
 * compose v2's projectOrName: commands on an existing project (start, stop,
 * ps, …) load the compose file when there is one; with `-p NAME` and no file
 * they work from the project's container labels instead.
 */
import type { CommandContext } from '../../command.js';
import { isEngineError } from '../../../lib/errors.js';
import { projectFromLabels } from '../../../compose/from-labels.js';
import type { Project } from '../../../compose/project.js';
import { openProject, type ComposeOptions } from './options.js';

export async function projectOrName(ctx: CommandContext, options: ComposeOptions, services: string[] = []): Promise<Project> {
  try {
    return openProject(ctx, options, { services });
  } catch (err) {
    const noFile = isEngineError(err, 'invalid') && err.message.startsWith('no configuration file provided');
    if (!noFile || !options.projectName || options.files.length > 0) throw err;
    return projectFromLabels(await ctx.client(), options.projectName);
  }
}

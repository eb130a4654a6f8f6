/**
 * docker's way of acting on several containers: each one in turn, its name
 * (or result) printed on success, errors collected and printed together at
 * the end with exit status 1.
 */
import { StatusError, write, type CommandContext } from '../../command.js';
import { describeError } from '../errors.js';

export async function forEachContainer(ctx: CommandContext, names: readonly string[], action: (name: string) => Promise<string | undefined>): Promise<number> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      const line = await action(name);
      if (line !== undefined) await write(ctx.stdout, `${line}\n`);
    } catch (err) {
      errors.push(describeError(err, ctx.host));
    }
  }
  if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
  return 0;
}

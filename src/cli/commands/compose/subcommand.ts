/** What a `berth compose` subcommand is: a command that also gets the shared compose flags. */
import type { CommandContext } from '../../command.js';
import type { FlagSpec, ParsedArgs } from '../../flags.js';
import type { ComposeOptions } from './options.js';

export interface ComposeSubcommand {
  name: string;
  usage: string;
  short: string;
  flags: FlagSpec[];
  run(ctx: CommandContext, parsed: ParsedArgs, options: ComposeOptions): Promise<number>;
}

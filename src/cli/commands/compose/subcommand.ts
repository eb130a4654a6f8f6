/** What a `berth compose` subcommand is: a command that also gets the shared compose flags. */
import type { CommandContext } from '../../command.js';
import type { FlagSpec, ParsedArgs } from '../../flags.js';
import type { ComposeOptions } from './options.js';

export interface ComposeSubcommand {
  name: string;
  usage: string;
  short: string;
  flags: FlagSpec[];
  /** False for commands whose arguments are a command line (exec, run): flags stop at the first argument. */
  interspersed?: boolean;
  run(ctx: CommandContext, parsed: ParsedArgs, options: ComposeOptions): Promise<number>;
}

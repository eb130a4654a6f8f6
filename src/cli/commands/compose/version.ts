/** `berth compose version`: which compose this is (docker compose v2's flags). */
import { write, StatusError } from '../../command.js';
import { BERTH_VERSION } from '../../version-info.js';
import type { ComposeSubcommand } from './subcommand.js';

export const versionCommand: ComposeSubcommand = {
  name: 'version',
  usage: '[OPTIONS]',
  short: 'Show the berth compose version information',
  flags: [
    { long: 'format', short: 'f', type: 'string', usage: 'Format the output. Values: [pretty | json]. (Default: pretty)' },
    { long: 'short', type: 'bool', usage: 'Shows only Compose\'s version number.' },
  ],
  async run(ctx, parsed) {
    const format = (parsed.flags.format as string | undefined) || 'pretty';
    if (format !== 'pretty' && format !== 'json') throw new StatusError(`ERROR: Invalid format type ${format}`, 1);
    let text = `berth compose version ${BERTH_VERSION}\n`;
    if (parsed.flags.short) text = `${BERTH_VERSION}\n`;
    else if (format === 'json') text = `${JSON.stringify({ version: BERTH_VERSION })}\n`;
    await write(ctx.stdout, text);
    return 0;
  },
};

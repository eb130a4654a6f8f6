/** `berth compose events`: the project's container events as they happen, as text or (--json) one object a line. */
import { write } from '../../command.js';
import { apiTimestamp } from '../container/timestamps.js';
import { eventJson, eventText, projectEvents } from '../../../compose/events.js';
import { projectOrName } from './project-or-name.js';
import type { ComposeSubcommand } from './subcommand.js';

export const eventsCommand: ComposeSubcommand = {
  name: 'events',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Receive real time events from containers',
  flags: [
    { long: 'json', type: 'bool', usage: 'Output events as a stream of json objects' },
    { long: 'since', type: 'string', usage: 'Show all events created since timestamp' },
    { long: 'until', type: 'string', usage: 'Stream events until this timestamp' },
  ],
  async run(ctx, parsed, options) {
    const project = await projectOrName(ctx, options, parsed.args);
    const client = await ctx.client();
    // Durations and dates as `docker events` takes them ("10m", RFC 3339, Unix seconds).
    const now = Date.now();
    const since = apiTimestamp((parsed.flags.since as string | undefined) ?? '', now) || undefined;
    const until = apiTimestamp((parsed.flags.until as string | undefined) ?? '', now) || undefined;
    for await (const e of projectEvents(client, project.name, { services: parsed.args, since, until })) {
      // Text: compose prints the event's String() (which ends in a newline) with Println, so a blank line follows each.
      await write(ctx.stdout, parsed.flags.json ? `${eventJson(e)}\n` : `${eventText(e)}\n`);
    }
    return 0;
  },
};

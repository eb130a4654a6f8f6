/** `berth events` (also `system events`): the daemon's events, past (--since/--until) and live, printed as docker prints them. */
import { filtersFromFlags } from '../../client/filters.js';
import { events, type EventMessage } from '../../client/system.js';
import { write, type CommandSpec } from '../command.js';
import { compileTemplate, goStruct } from '../format/template.js';
import { filterFlag, formatFlag } from './common.js';
import { apiTimestamp } from './container/timestamps.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Go's "2006-01-02T15:04:05.000000000Z07:00" (jsonmessage.RFC3339NanoFixed) in local time. */
export function rfc3339NanoFixed(timeNano: number): string {
  const ms = Math.floor(timeNano / 1e6);
  const nanos = timeNano - ms * 1e6 + (ms % 1000) * 1e6;
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(Math.round(nanos), 9)}${zone}`;
}

/** docker's prettyPrintEvent: time, type, action, actor ID, then the attributes sorted by key. */
export function prettyEvent(event: EventMessage): string {
  const time = event.timeNano ? `${rfc3339NanoFixed(event.timeNano)} ` : event.time ? `${rfc3339NanoFixed(event.time * 1e9)} ` : '';
  const attributes = Object.keys(event.Actor.Attributes ?? {}).sort().map((k) => `${k}=${event.Actor.Attributes[k]}`);
  return `${time}${event.Type} ${event.Action} ${event.Actor.ID}${attributes.length ? ` (${attributes.join(', ')})` : ''}\n`;
}

/** The message as docker's templates see it (Go field names), encoding back to the wire JSON for `{{json .}}`. */
function templateData(event: EventMessage): object {
  const actor = goStruct({ ID: event.Actor.ID, Attributes: event.Actor.Attributes ?? {} }, 'events.Actor');
  const data = goStruct({
    Status: event.status ?? '', ID: event.id ?? '', From: event.from ?? '', Type: event.Type, Action: event.Action,
    Actor: actor, Scope: event.scope, Time: event.time, TimeNano: event.timeNano,
  }, 'events.Message');
  const wire = goStruct({
    ...(event.status ? { status: event.status } : {}), ...(event.id ? { id: event.id } : {}), ...(event.from ? { from: event.from } : {}),
    Type: event.Type, Action: event.Action, Actor: actor, scope: event.scope, time: event.time, timeNano: event.timeNano,
  }, 'events.Message');
  Object.defineProperty(data, 'toJSON', { value: () => wire, enumerable: false });
  return data;
}

export const eventsCommand: CommandSpec = {
  path: 'events',
  aliases: ['events', 'system events'],
  usage: '[OPTIONS]',
  short: 'Get real time events from the server',
  args: { kind: 'none' },
  flags: [
    { ...filterFlag('Filter output based on conditions provided'), short: 'f' },
    formatFlag('Format output using a custom template:\n\'json\':             Print in JSON format\n\'TEMPLATE\':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates'),
    { long: 'since', type: 'string', usage: 'Show all events created since timestamp' },
    { long: 'until', type: 'string', usage: 'Stream events until this timestamp' },
  ],
  async run(ctx, { flags }) {
    const now = Date.now();
    const since = apiTimestamp((flags.since as string | undefined) ?? '', now);
    const until = apiTimestamp((flags.until as string | undefined) ?? '', now);
    const format = (flags.format as string | undefined) ?? '';
    const template = format ? compileTemplate(format === 'json' ? '{{json .}}' : format) : undefined;
    const client = await ctx.client();
    for await (const event of events(client.api, { since, until, filters: filtersFromFlags(flags.filter as string[]) })) {
      await write(ctx.stdout, template ? `${template.execute(templateData(event))}\n` : prettyEvent(event));
    }
    return 0;
  },
};

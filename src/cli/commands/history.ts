/** `berth history` / `berth image history`. */
import type { HistoryItem } from '../../client/types.js';
import { write, type CommandSpec } from '../command.js';
import { renderRows, TABLE_KEY } from '../format/formatter.js';
import { goStruct } from '../format/template.js';
import { humanSizeWithPrecision, rfc3339Unix, sinceUnix } from '../format/units.js';
import { ellipsis, formatFlag, truncateId } from './common.js';

const HUMAN_TABLE = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const NON_HUMAN_TABLE = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

const HEADERS: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

/** docker's NewHistoryFormat. */
function historyFormat(source: string, quiet: boolean, human: boolean): string {
  if (source !== TABLE_KEY) return source;
  if (quiet) return '{{.ID}}';
  return human ? HUMAN_TABLE : NON_HUMAN_TABLE;
}

function historyRow(item: HistoryItem, human: boolean, trunc: boolean) {
  const createdBy = item.CreatedBy.replaceAll('\t', ' ');
  const createdAt = rfc3339Unix(item.Created);
  return goStruct(
    {
      Comment: item.Comment,
      CreatedAt: createdAt,
      CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
      CreatedSince: human ? sinceUnix(item.Created) : createdAt,
      ID: trunc ? truncateId(item.Id) : item.Id,
      Size: human ? humanSizeWithPrecision(item.Size, 3) : String(item.Size),
    },
    '*image.historyContext',
  );
}

export const historyCommand: CommandSpec = {
  path: 'image history',
  aliases: ['image history', 'history'],
  usage: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  args: { kind: 'exact', count: 1 },
  flags: [
    formatFlag(),
    { long: 'human', short: 'H', type: 'bool', default: true, usage: 'Print sizes and dates in human readable format' },
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only show image IDs' },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const history = await client.imageHistory(args[0]);
    const human = flags.human as boolean;
    const rows = history.map((item) => historyRow(item, human, !flags['no-trunc']));
    const format = historyFormat((flags.format as string) || TABLE_KEY, flags.quiet as boolean, human);
    await write(ctx.stdout, renderRows(format, rows, HEADERS));
    return 0;
  },
};

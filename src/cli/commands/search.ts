/** `berth search`: a registry's v1 search (Docker Hub, or host:port/term), shown as docker shows it. */
import { filtersFromFlags } from '../../client/filters.js';
import type { SearchResult } from '../../client/distribution.js';
import { StatusError, write, type CommandSpec } from '../command.js';
import { renderRows } from '../format/formatter.js';
import { getCredentials, registryKey } from '../credentials.js';
import { ellipsis, filterFlag, formatFlag } from './common.js';

const DEFAULT_FORMAT = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';
const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };
/** docker truncates descriptions to this many characters in tables. */
const DESCRIPTION_WIDTH = 45;

export const searchCommand: CommandSpec = {
  path: 'search',
  aliases: ['search'],
  usage: '[OPTIONS] TERM',
  short: 'Search Docker Hub for images',
  args: { kind: 'exact', count: 1 },
  flags: [
    filterFlag(),
    formatFlag('Pretty-print search using a Go template'),
    { long: 'limit', type: 'int', usage: 'Max number of search results', default: 0 },
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
  ],
  async run(ctx, { flags, args }) {
    const term = args[0]!;
    const filters = filtersFromFlags(flags.filter as string[]);
    const limit = flags.limit as number;
    const client = await ctx.client();
    const slash = term.indexOf('/');
    const host = slash > 0 && /[.:]|^localhost$/.test(term.slice(0, slash)) ? term.slice(0, slash) : undefined;
    const auth = await getCredentials(registryKey(host));
    const results = await client.searchImages(term, { limit: limit > 0 ? limit : undefined, filters, auth });
    const noTrunc = flags['no-trunc'] as boolean;
    const rows = results.map((r) => row(r, noTrunc));
    const format = (flags.format as string) || DEFAULT_FORMAT;
    try {
      await write(ctx.stdout, renderRows(format, rows, HEADERS));
    } catch (err) {
      throw new StatusError(`template parsing error: ${(err as Error).message}`, 1);
    }
    return 0;
  },
};

/** docker's searchContext: fields as templates see them. */
function row(result: SearchResult, noTrunc: boolean): Record<string, string> {
  const description = result.description.replace(/\n/g, ' ');
  return {
    Name: result.name,
    Description: noTrunc ? description : ellipsis(description, DESCRIPTION_WIDTH),
    StarCount: String(result.star_count),
    IsOfficial: result.is_official ? '[OK]' : '',
    IsAutomated: result.is_automated ? '[OK]' : '',
  };
}

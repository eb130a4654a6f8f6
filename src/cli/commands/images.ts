/** `berth images` / `berth image ls`. */
import { addFilter, filtersFromFlags } from '../../client/filters.js';
import { write, type CommandSpec } from '../command.js';
import { renderRows, TABLE_KEY, RAW_KEY } from '../format/formatter.js';
import { filterFlag, formatFlag } from './common.js';
import { IMAGE_HEADERS, imageRows } from './image-rows.js';

const DEFAULT_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const DIGEST_TABLE = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const RAW = 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
const RAW_DIGEST = 'repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';

/** docker's formatter.NewImageFormat. */
export function imageFormat(source: string, quiet: boolean, digests: boolean): string {
  if (source === TABLE_KEY) return quiet ? '{{.ID}}' : digests ? DIGEST_TABLE : DEFAULT_TABLE;
  if (source === RAW_KEY) return quiet ? 'image_id: {{.ID}}' : digests ? RAW_DIGEST : RAW;
  return source;
}

export const imagesCommand: CommandSpec = {
  path: 'image ls',
  aliases: ['image ls', 'image list', 'images'],
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  args: { kind: 'max', count: 1 },
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all images (default hides intermediate images)' },
    { long: 'digests', type: 'bool', usage: 'Show digests' },
    filterFlag(),
    formatFlag(),
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only show image IDs' },
  ],
  async run(ctx, { flags, args }) {
    const filters = filtersFromFlags(flags.filter as string[]);
    if (args[0]) addFilter(filters, 'reference', args[0]);
    const client = await ctx.client();
    const images = await client.listImages({ all: flags.all as boolean, filters });
    const digests = flags.digests as boolean;
    const format = imageFormat((flags.format as string) || TABLE_KEY, flags.quiet as boolean, digests);
    const rows = images.flatMap((image) => imageRows(image, { trunc: !flags['no-trunc'], digests }));
    await write(ctx.stdout, renderRows(format, rows, IMAGE_HEADERS));
    return 0;
  },
};

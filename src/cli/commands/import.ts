/** `berth import` / `berth image import`: a tarball (file, `-` for stdin, or URL) becomes an image. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { readJsonMessages } from '../../client/jsonstream.js';
import { parseNormalizedNamed } from '../../client/reference.js';
import { StatusError, type CommandSpec } from '../command.js';
import { displayJsonMessages } from './common.js';

async function openSource(source: string, stdin: Readable): Promise<Readable | { url: string }> {
  if (source === '-') return stdin;
  if (source.startsWith('http://') || source.startsWith('https://')) return { url: source };
  try {
    await stat(source);
  } catch (err) {
    throw new StatusError(`open ${source}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, 1);
  }
  return createReadStream(source);
}

export const importCommand: CommandSpec = {
  path: 'image import',
  aliases: ['image import', 'import'],
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  args: { kind: 'range', min: 1, max: 2 },
  flags: [
    { long: 'change', short: 'c', type: 'stringArray', usage: 'Apply Dockerfile instruction to the created image', valueName: 'list' },
    { long: 'message', short: 'm', type: 'string', usage: 'Set commit message for imported image', valueName: 'string' },
  ],
  async run(ctx, { flags, args }) {
    const [source, reference] = args;
    if (reference) {
      try {
        parseNormalizedNamed(reference);
      } catch (err) {
        throw new StatusError((err as Error).message, 1);
      }
    }
    const body = await openSource(source, ctx.stdin);
    const client = await ctx.client();
    const stream = await client.importImage({
      source: body,
      repository: reference,
      message: flags.message as string,
      changes: flags.change as string[],
    });
    await displayJsonMessages(ctx, readJsonMessages(stream));
    return 0;
  },
};

/** `berth load` / `berth image load`: streams a tar archive to the daemon. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readJsonMessages } from '../../client/jsonstream.js';
import { StatusError, type CommandSpec } from '../command.js';
import { displayJsonMessages } from './common.js';

async function openInput(input: string): Promise<Readable> {
  try {
    await stat(input);
  } catch {
    throw new StatusError(`open ${input}: no such file or directory`, 1);
  }
  return createReadStream(input);
}

export const loadCommand: CommandSpec = {
  path: 'image load',
  aliases: ['image load', 'load'],
  usage: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  args: { kind: 'none' },
  flags: [
    { long: 'input', short: 'i', type: 'string', usage: 'Read from tar archive file, instead of STDIN', valueName: 'string' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Suppress the load output' },
  ],
  async run(ctx, { flags }) {
    const input = flags.input as string;
    if (!input && ctx.stdin.isTTY) throw new StatusError('requested load from stdin, but stdin is empty', 1);
    const tar = input ? await openInput(input) : ctx.stdin;
    // As docker: progress bars only make sense on a terminal.
    const quiet = (flags.quiet as boolean) || !ctx.stdout.isTTY;
    const client = await ctx.client();
    const result = await client.loadImages(tar, { quiet });
    if (result.json) await displayJsonMessages(ctx, readJsonMessages(result.body));
    else await pipeline(result.body, ctx.stdout as Writable, { end: false });
    return 0;
  },
};

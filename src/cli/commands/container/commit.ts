/** `berth commit` and `berth export`. */
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parseNormalizedNamed, ReferenceError } from '../../../client/reference.js';
import { StatusError, write, type CommandSpec } from '../../command.js';

function splitReference(text: string | undefined): { repo?: string; tag?: string } {
  if (!text) return {};
  let ref;
  try {
    ref = parseNormalizedNamed(text);
  } catch (err) {
    if (err instanceof ReferenceError) throw new StatusError('invalid reference format', 1);
    throw err;
  }
  if (ref.digest) throw new StatusError('refusing to create a tag with a digest reference', 1);
  return { repo: ref.name, tag: ref.tag ?? 'latest' };
}

export const commitCommand: CommandSpec = {
  path: 'container commit',
  aliases: ['container commit', 'commit'],
  usage: "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
  short: "Create a new image from a container's changes",
  args: { kind: 'range', min: 1, max: 2 },
  flags: [
    { long: 'author', short: 'a', type: 'string', usage: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")', valueName: 'string' },
    { long: 'change', short: 'c', type: 'stringArray', usage: 'Apply Dockerfile instruction to the created image', valueName: 'list' },
    { long: 'message', short: 'm', type: 'string', usage: 'Commit message', valueName: 'string' },
    { long: 'pause', short: 'p', type: 'bool', usage: 'Pause container during commit', default: true },
  ],
  async run(ctx, { flags, args }) {
    const { repo, tag } = splitReference(args[1]);
    const client = await ctx.client();
    const { Id } = await client.commitContainer(args[0], {
      repo, tag, author: flags.author as string, comment: flags.message as string, pause: flags.pause as boolean, changes: flags.change as string[],
    });
    await write(ctx.stdout, `${Id}\n`);
    return 0;
  },
};

export const exportCommand: CommandSpec = {
  path: 'container export',
  aliases: ['container export', 'export'],
  usage: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  args: { kind: 'exact', count: 1 },
  flags: [{ long: 'output', short: 'o', type: 'string', usage: 'Write to a file, instead of STDOUT', valueName: 'string' }],
  async run(ctx, { flags, args }) {
    const output = flags.output as string;
    if (!output && ctx.stdout.isTTY) throw new StatusError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    const client = await ctx.client();
    const tar = await client.exportContainer(args[0]);
    await pipeline(tar, output ? createWriteStream(output) : ctx.stdout, { end: Boolean(output) });
    return 0;
  },
};

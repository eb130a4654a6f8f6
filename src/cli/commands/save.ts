/** `berth save` / `berth image save`: the daemon's tar archive to a file or stdout. */
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StatusError, type CommandSpec } from '../command.js';

/** Like docker's CopyToFile: write a temp file beside the target, then rename, so a failed save leaves nothing half-written. */
async function copyToFile(output: string, body: Readable): Promise<void> {
  const dir = path.dirname(output);
  const temp = path.join(dir, `.berth_temp_${process.pid}_${Date.now()}`);
  try {
    await pipeline(body, createWriteStream(temp, { mode: 0o644 }));
    await rename(temp, output);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function validateOutputPath(output: string): Promise<void> {
  const dir = path.dirname(path.resolve(output));
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new StatusError(`failed to save image: invalid output path: directory "${dir}" does not exist`, 1);
  }
  const existing = await stat(output).catch(() => undefined);
  if (existing?.isDirectory()) throw new StatusError(`failed to save image: invalid output path: "${output}" is a directory`, 1);
}

export const saveCommand: CommandSpec = {
  path: 'image save',
  aliases: ['image save', 'save'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  args: { kind: 'min', count: 1 },
  flags: [{ long: 'output', short: 'o', type: 'string', usage: 'Write to a file, instead of STDOUT', valueName: 'string' }],
  async run(ctx, { flags, args }) {
    const output = flags.output as string;
    if (!output && ctx.stdout.isTTY) throw new StatusError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1);
    if (output) await validateOutputPath(output);
    const client = await ctx.client();
    const body = await client.saveImages(args);
    if (output) await copyToFile(output, body);
    else await pipeline(body, ctx.stdout as Writable, { end: false });
    return 0;
  },
};

/**
 * The image half of run/create: create, and when the daemon has no such
 * image, pull it (`--pull missing`) and create again, as the docker CLI does.
 * Pull progress goes to stderr, so `run`'s stdout carries only the
 * container's output.
 */
import type { Readable } from 'node:stream';
import type { BerthClient } from '../../../client/index.js';
import type { CreateContainerRequest, CreateContainerResponse } from '../../../client/container-types.js';
import { readJsonMessages } from '../../../client/jsonstream.js';
import { parseNormalizedNamed, pullTarget } from '../../../client/reference.js';
import { write, type CommandContext } from '../../command.js';
import type { PullPolicy } from '../../opts/container.js';
import { displayProgress } from '../progress.js';
import { credentialsForImage } from '../pull.js';

/** An error from a pull's progress stream (as opposed to an HTTP error). */
export class PullStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullStreamError';
  }
}

async function showPullProgress(ctx: CommandContext, body: Readable, quiet: boolean): Promise<void> {
  const messages = readJsonMessages(body);
  try {
    if (quiet) {
      for await (const msg of messages) if (msg.errorDetail?.message || msg.error) throw new Error(msg.errorDetail?.message || msg.error);
    } else {
      await displayProgress({ out: ctx.stderr, terminal: !!(ctx.stderr as { isTTY?: boolean }).isTTY }, messages);
    }
  } catch (err) {
    throw new PullStreamError((err as Error).message);
  }
}

export async function pullImage(ctx: CommandContext, client: BerthClient, image: string, quiet: boolean): Promise<void> {
  const target = pullTarget(image);
  const auth = await credentialsForImage(parseNormalizedNamed(image).name);
  await showPullProgress(ctx, await client.pullImage(target.repo, target.tag, { auth }), quiet);
}

function isNoSuchImage(err: unknown): boolean {
  return (err as { name?: string }).name === 'ClientError' && (err as { statusCode?: number }).statusCode === 404 && /no such image/i.test((err as Error).message);
}

export async function createWithPull(
  ctx: CommandContext, client: BerthClient, request: CreateContainerRequest,
  options: { name?: string; pull: PullPolicy; quiet: boolean; platform?: string },
): Promise<CreateContainerResponse> {
  const image = request.Image ?? '';
  if (options.pull === 'always') await pullImage(ctx, client, image, options.quiet);
  try {
    return await client.createContainer(request, options);
  } catch (err) {
    if (!isNoSuchImage(err) || options.pull !== 'missing') throw err;
    await write(ctx.stderr, `Unable to find image '${pullTarget(image).display}' locally\n`);
    await pullImage(ctx, client, image, options.quiet);
    return client.createContainer(request, options);
  }
}

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
import { pullTarget } from '../../../client/reference.js';
import { write, type CommandContext } from '../../command.js';
import type { PullPolicy } from '../../opts/container.js';

/** An error from a pull's progress stream (as opposed to an HTTP error). */
export class PullStreamError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullStreamError';
  }
}

async function showPullProgress(ctx: CommandContext, body: Readable, quiet: boolean): Promise<void> {
  for await (const msg of readJsonMessages(body)) {
    if (msg.errorDetail?.message || msg.error) throw new PullStreamError(msg.errorDetail?.message || msg.error || '');
    if (quiet || msg.progressDetail?.current !== undefined || msg.status === undefined) continue;
    await write(ctx.stderr, `${msg.id ? `${msg.id}: ` : ''}${msg.status}\n`);
  }
}

export async function pullImage(ctx: CommandContext, client: BerthClient, image: string, quiet: boolean): Promise<void> {
  const target = pullTarget(image);
  await showPullProgress(ctx, await client.pullImage(target.repo, target.tag), quiet);
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

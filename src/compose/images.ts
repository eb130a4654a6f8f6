/**
 * Images `up` needs: each service's image is pulled when the engine does
 * not have it (compose's default pull_policy `missing`), or always with
 * `pull_policy: always`; `never` leaves a missing image to fail at create.
 * Events as compose v2 prints them: ` web Pulling` / ` web Pulled`.
 */
import type { Readable } from 'node:stream';
import { readJsonMessages, type BerthClient, type JsonMessage } from '../client/index.js';
import type { RegistryAuth } from '../client/distribution.js';
import { pullTarget } from '../client/reference.js';
import { invalid } from '../lib/errors.js';
import { ImageIds, imageIdOf } from './image-ids.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';

export async function pullMissing(client: BerthClient, project: Project, services: string[], progress: Progress, images = new ImageIds(client)): Promise<void> {
  const pulled = new Set<string>();
  for (const name of services) {
    const service = project.model.services[name];
    const image = service.image as string | undefined;
    const policy = (service.pull_policy as string | undefined) ?? 'missing';
    if (!image || policy === 'never' || policy === 'build' || pulled.has(image)) continue;
    if (policy !== 'always' && (await images.id(image)) !== undefined) continue;
    await progress.step(name, 'Pulling', 'Pulled', () => pull(client, image));
    pulled.add(image);
    images.forget(image);
  }
}

export async function present(client: BerthClient, image: string): Promise<boolean> {
  return (await imageIdOf(client, image)) !== undefined;
}

export interface TransferOptions {
  auth?: RegistryAuth;
  /** Each layer's progress message (id and status), for compose's per-layer lines. */
  onLayer?: (msg: JsonMessage) => void;
}

/** Pulls and drains the progress stream; an error message in it fails the pull. */
export async function pull(client: BerthClient, image: string, options: TransferOptions = {}): Promise<void> {
  const { repo, tag } = pullTarget(image);
  await drain(await client.pullImage(repo, tag, { auth: options.auth }), options.onLayer);
}

/** Pushes one tag of a local image, as pull drains its stream. */
export async function push(client: BerthClient, image: string, options: TransferOptions = {}): Promise<void> {
  const { repo, tag } = pullTarget(image);
  await drain(await client.pushImage(repo, tag, options.auth), options.onLayer);
}

async function drain(stream: Readable, onLayer?: (msg: JsonMessage) => void): Promise<void> {
  for await (const msg of readJsonMessages(stream)) {
    const error = msg.errorDetail?.message || msg.error;
    if (error) throw invalid(error);
    if (msg.id && msg.progressDetail) onLayer?.(msg);
  }
}

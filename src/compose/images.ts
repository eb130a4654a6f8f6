/**
 * Images `up` needs: each service's image is pulled when the engine does
 * not have it (compose's default pull_policy `missing`), or always with
 * `pull_policy: always`; `never` leaves a missing image to fail at create.
 * Events as compose v2 prints them: ` web Pulling` / ` web Pulled`.
 */
import { ClientError, readJsonMessages, type BerthClient } from '../client/index.js';
import { pullTarget } from '../client/reference.js';
import { invalid } from '../lib/errors.js';
import type { Progress } from './progress.js';
import type { Project } from './project.js';

export async function pullMissing(client: BerthClient, project: Project, services: string[], progress: Progress): Promise<void> {
  const pulled = new Set<string>();
  for (const name of services) {
    const service = project.model.services[name];
    const image = service.image as string | undefined;
    const policy = (service.pull_policy as string | undefined) ?? 'missing';
    if (!image || policy === 'never' || policy === 'build' || pulled.has(image)) continue;
    if (policy !== 'always' && (await present(client, image))) continue;
    await progress.step(name, 'Pulling', 'Pulled', () => pull(client, image));
    pulled.add(image);
  }
}

async function present(client: BerthClient, image: string): Promise<boolean> {
  try {
    await client.inspectImage(image);
    return true;
  } catch (err) {
    if (err instanceof ClientError && err.statusCode === 404) return false;
    throw err;
  }
}

/** Pulls and drains the progress stream; an error message in it fails the pull. */
async function pull(client: BerthClient, image: string): Promise<void> {
  const { repo, tag } = pullTarget(image);
  for await (const msg of readJsonMessages(await client.pullImage(repo, tag))) {
    const error = msg.errorDetail?.message || msg.error;
    if (error) throw invalid(error);
  }
}

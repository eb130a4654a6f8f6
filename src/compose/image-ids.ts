/**
 * The IDs of the images one `up` uses, each asked of the engine once (ten
 * services on one image: one inspect, not twenty, and not one after the
 * other); an image pulled or built is forgotten, so it is asked again.
 */
import { ClientError, type BerthClient } from '../client/index.js';

/** The ID of an image if the engine has it. */
export async function imageIdOf(client: BerthClient, image: string): Promise<string | undefined> {
  try {
    return (await client.inspectImage(image)).value.Id;
  } catch (err) {
    if (err instanceof ClientError && err.statusCode === 404) return undefined;
    throw err;
  }
}

export class ImageIds {
  private readonly known = new Map<string, Promise<string | undefined>>();

  constructor(private readonly client: BerthClient) {}

  /** The image's ID, or undefined when the engine does not have it. */
  id(image: string): Promise<string | undefined> {
    let id = this.known.get(image);
    if (!id) {
      id = imageIdOf(this.client, image);
      this.known.set(image, id);
    }
    return id;
  }

  forget(image: string): void {
    this.known.delete(image);
  }
}

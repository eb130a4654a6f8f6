/** Credentials for a service image's registry, from the CLI's config as `berth pull`/`push` find them. */
import type { RegistryAuth } from '../../../client/distribution.js';
import { parseNormalizedNamed } from '../../../client/reference.js';
import { credentialsForImage } from '../pull.js';

export function authForImage(image: string): Promise<RegistryAuth | undefined> {
  return credentialsForImage(parseNormalizedNamed(image).name);
}

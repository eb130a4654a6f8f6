import { notFound } from '../../lib/errors.js';
import { formatPlatform, parsePlatform, platformRuns } from '../../lib/platform.js';

/**
 * create's `platform`: the image found must be of that platform (or one it
 * runs), else dockerd's 404, which tells clients to pull that platform.
 */
export function checkImagePlatform(reference: string, platform: string | undefined, image: { os?: string; architecture?: string; variant?: string }): void {
  if (!platform) return;
  const wanted = parsePlatform(platform);
  const actual = { os: image.os || 'linux', architecture: image.architecture || 'amd64', ...(image.variant ? { variant: image.variant } : {}) };
  if (!platformRuns(wanted, actual)) {
    throw notFound(`image with reference ${reference} was found but does not match the specified platform: wanted ${formatPlatform(wanted)}, actual: ${formatPlatform(actual)}`);
  }
}

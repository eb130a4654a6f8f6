import { invalid } from '../../lib/errors.js';
import { randomId } from '../../lib/digest.js';

/** Docker's names.RestrictedNameChars, and the full-name pattern built from it. */
export const RESTRICTED_NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const VOLUME_NAME = new RegExp(`^${RESTRICTED_NAME_CHARS}+$`);

/**
 * The local driver's name check, with Docker's messages (prefixed by the
 * caller with "create <name>: " as Docker's volume store does). Names become
 * directory names under the volumes root, so this is also what keeps '/' and
 * '..' out of paths.
 */
export function validateVolumeName(name: string): void {
  if (name.length === 1) {
    throw invalid(`create ${name}: volume name is too short, names should be at least two alphanumeric characters`);
  }
  if (!VOLUME_NAME.test(name)) {
    throw invalid(
      `create ${name}: "${name}" includes invalid characters for a local volume name, only "${RESTRICTED_NAME_CHARS}" are allowed. ` +
        'If you intended to pass a host directory, use absolute path',
    );
  }
}

/** A volume is a directory named after it: longer names than the filesystem's NAME_MAX cannot be made. */
const NAME_MAX = 255;

/**
 * The name's length as dockerd meets it: the directory cannot be made, and
 * its mkdir error is what dockerd reports. Checked before anything is
 * written, so the answer is a 400 and not a filesystem error.
 */
export function checkVolumeNameLength(name: string, root: string): void {
  if (Buffer.byteLength(name) <= NAME_MAX) return;
  const dir = `${root}/${name}`;
  throw invalid(`create ${name}: error while creating volume root path '${dir}': mkdir ${dir}: file name too long`);
}

/** Whether `name` could name a volume (lookups of impossible names are simply "no such volume"). */
export function isValidVolumeName(name: string): boolean {
  return VOLUME_NAME.test(name) && Buffer.byteLength(name) <= NAME_MAX;
}

/** Anonymous volumes get 64 hex characters, as Docker's stringid.GenerateRandomID. */
export function generateVolumeName(): string {
  return randomId();
}

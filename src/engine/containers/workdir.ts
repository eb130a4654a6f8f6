import { chown, mkdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { resolveInRoot } from '../../lib/safe-path.js';
import type { RuntimeUser } from '../runtime/types.js';

/**
 * Creates the working directory inside the container's filesystem when the
 * image lacks it, as Docker does, owned by the container's user; each
 * component is resolved inside the root so a symlink cannot point it outside.
 */
export async function ensureDirInRoot(rootfs: string, dir: string, user: RuntimeUser): Promise<void> {
  let current = '/';
  for (const part of posix.normalize(dir).split('/').filter(Boolean)) {
    current = posix.join(current, part);
    const target = await resolveInRoot(rootfs, current);
    try {
      await mkdir(target, { mode: 0o755 });
      await chown(target, user.uid, user.gid);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
  }
}

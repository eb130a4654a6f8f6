import { chmod, chown, lstat, readdir } from 'node:fs/promises';
import { errnoCode, EngineError } from '../../lib/errors.js';
import { resolveInRoot } from '../../lib/safe-path.js';
import { runCommand } from '../../platform/linux/spawn.js';

/**
 * Docker's copy-up: a new, empty volume mounted over a directory of the image
 * starts with that directory's content (owners, modes, timestamps, xattrs;
 * symlinks stay symlinks), and the volume's root takes the directory's owner
 * and mode. Returns whether anything was copied.
 *
 * The source is found with resolveInRoot, so a destination that goes through
 * a symlink in the image (/data → /etc) names the rootfs's /etc, never the
 * host's. `cp -a` copies links as links and never follows one, so nothing
 * outside the resolved, symlink-free source directory is read.
 */
export async function copyUp(rootfs: string, destination: string, volumeDir: string): Promise<boolean> {
  const source = await resolveInRoot(rootfs, destination, { followFinal: true });
  const st = await lstatOrNull(source);
  if (!st?.isDirectory()) return false;
  if ((await readdir(volumeDir)).length > 0) return false;
  await runCp(source, volumeDir);
  await chown(volumeDir, st.uid, st.gid);
  await chmod(volumeDir, st.mode & 0o7777);
  return true;
}

async function lstatOrNull(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  }
}

/** cp -a of the directory's content ("src/." into dst), without following symlinks anywhere (spawned off the main thread, as every tool of the daemon's). */
async function runCp(source: string, target: string): Promise<void> {
  const { code, signal, stderr } = await runCommand('cp', ['-a', '--no-dereference', '--', `${source}/.`, `${target}/`]);
  if (code !== 0) throw new EngineError('internal', `copying the image's content into the volume failed: ${stderr.trim().slice(0, 4096) || `cp ended with ${signal ?? `exit status ${code}`}`}`);
}

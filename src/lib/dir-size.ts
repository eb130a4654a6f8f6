import { lstatSync, readdirSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Docker's layer size for overlay2 (moby's pkg/directory.Size): the st_size of
 * every non-directory entry (symlinks count their target's length), each inode
 * counted once so hardlinks are not counted twice. `skip`: paths relative to
 * the root left out, with what is below them.
 */
export async function directorySize(root: string, skip: ReadonlySet<string> = new Set()): Promise<number> {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (skip.has(relative(root, path))) continue;
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      const st = await lstat(path, { bigint: true });
      if (st.size === 0n || seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += Number(st.size);
    }
  };
  await walk(root);
  return total;
}

/** directorySize with blocking calls, for a worker thread (a layer's thousands of lstats without a thread-pool round trip each). */
export function directorySizeSync(root: string): number {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const st = lstatSync(path, { bigint: true });
      if (st.size === 0n || seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += Number(st.size);
    }
  };
  walk(root);
  return total;
}

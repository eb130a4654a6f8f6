/**
 * JSON state that holds other registries' credentials (proxy upstreams,
 * replication targets): written whole and atomically with mode 0600 in a
 * 0700 directory, so only the registry's user can read the passwords.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { invalid } from '../../lib/errors.js';
import { isMissing } from '../storage/fs-util.js';

export async function readSecretFile<T>(path: string, empty: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if (isMissing(err)) return empty;
    throw invalid(`cannot read ${path}: ${(err as Error).message}`, err);
  }
}

export async function writeSecretFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeJsonAtomic(path, value, 0o600);
}

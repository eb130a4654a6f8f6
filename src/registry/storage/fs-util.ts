/** Small filesystem helpers the stores share: "missing" is an answer, not an error. */
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { errnoCode } from '../../lib/errors.js';

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

export function isMissing(err: unknown): boolean {
  return MISSING.has(errnoCode(err) ?? '');
}

/** The operation's result, or `fallback` when the path does not exist; other errors pass. */
async function orMissing<T, F>(operation: Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await operation;
  } catch (err) {
    if (isMissing(err)) return fallback;
    throw err;
  }
}

/** The file's size, or undefined when it does not exist. */
export async function sizeOf(path: string): Promise<number | undefined> {
  const st = await orMissing(stat(path), undefined);
  return st?.isFile() ? st.size : undefined;
}

export async function exists(path: string): Promise<boolean> {
  return (await orMissing(stat(path), undefined)) !== undefined;
}

export function readTextIfExists(path: string): Promise<string | undefined> {
  return orMissing(readFile(path, 'utf8'), undefined);
}

/** Directory entries, or [] when the directory does not exist. */
export function listDir(path: string): Promise<string[]> {
  return orMissing(readdir(path), []);
}

/** Removes a file; true when it was there. */
export async function removeFile(path: string): Promise<boolean> {
  return orMissing(unlink(path).then(() => true), false);
}

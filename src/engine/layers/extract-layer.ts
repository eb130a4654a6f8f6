import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { directorySizeSync } from '../../lib/dir-size.js';
import { EngineError, type ErrorKind } from '../../lib/errors.js';
import { applyTar, type ApplyOptions } from './tar-apply.js';
import { SplitRecorder, writeTarSplit } from './tar-split.js';

/**
 * One layer's whole extraction, as one function of plain data so that it can
 * run in a worker thread (extract-pool.ts): the tar is extracted into
 * `<layerDir>/diff` while its tar-split metadata is recorded and its diff ID
 * hashed, the metadata is written beside it, and the size is measured.
 */

export interface ExtractRequest {
  /** The (temp) layer directory; `diff/` exists in it. */
  layerDir: string;
  apply: Omit<ApplyOptions, 'split'>;
  /** true: the size is what the diff directory holds (overlay2); false: the file content the tar carried (vfs). */
  measureTree: boolean;
}

export interface Extracted {
  diffId: Digest;
  size: number;
  /** Bytes of the tar, which only the tar-split metadata keeps. */
  tarSize: number;
}

export async function extractLayer(tar: Readable, request: ExtractRequest): Promise<Extracted> {
  const diff = join(request.layerDir, 'diff');
  const split = new SplitRecorder(diff);
  const applied = await applyTar(tar, diff, { ...request.apply, split, blocking: true });
  // Blocking calls (this runs in a worker thread), and only when the extraction could not tell.
  const size = request.measureTree ? applied.treeSize ?? directorySizeSync(diff) : applied.size;
  const tarSize = await writeTarSplit(request.layerDir, split);
  return { diffId: applied.diffId, size, tarSize };
}

/** An error as it crosses a thread: what callers look at (kind, message, errno fields). */
export interface SerializedError {
  message: string;
  kind?: ErrorKind;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) return { message: err.message, kind: err.kind };
  if (!(err instanceof Error)) return { message: String(err) };
  const { code, errno, syscall, path } = err as NodeJS.ErrnoException;
  return { message: err.message, code, errno, syscall, path };
}

export function deserializeError(error: SerializedError): Error {
  if (error.kind !== undefined) return new EngineError(error.kind, error.message);
  const rebuilt: NodeJS.ErrnoException = new Error(error.message);
  for (const key of ['code', 'errno', 'syscall', 'path'] as const) {
    if (error[key] !== undefined) Object.assign(rebuilt, { [key]: error[key] });
  }
  return rebuilt;
}

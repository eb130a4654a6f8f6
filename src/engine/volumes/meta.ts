import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../lib/atomic.js';
import { errnoCode } from '../../lib/errors.js';

/**
 * What the local driver keeps beside a volume's data: <root>/<name>/meta.json.
 * A volume exists when its meta.json does (it is written last at create and
 * removed first at rm), so a crash in between leaves no half volume visible.
 */
export interface VolumeMeta {
  CreatedAt: string;
  Driver: 'local';
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  /** Created without a name (anonymous volumes of containers, `volume create` without a name). */
  Anonymous: boolean;
}

export const META_FILE = 'meta.json';
export const DATA_DIR = '_data';

export function metaPath(root: string, name: string): string {
  return join(root, name, META_FILE);
}

export function dataPath(root: string, name: string): string {
  return join(root, name, DATA_DIR);
}

/** The volume's meta, or null when there is no such volume. */
export async function readMeta(root: string, name: string): Promise<VolumeMeta | null> {
  let text: string;
  try {
    text = await readFile(metaPath(root, name), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return null;
    throw err;
  }
  const raw = JSON.parse(text) as Partial<VolumeMeta>;
  return {
    CreatedAt: raw.CreatedAt ?? '',
    Driver: 'local',
    Labels: raw.Labels ?? null,
    Options: raw.Options ?? null,
    Anonymous: raw.Anonymous ?? false,
  };
}

export async function writeMeta(root: string, name: string, meta: VolumeMeta): Promise<void> {
  await writeJsonAtomic(metaPath(root, name), meta, 0o600);
}

/**
 * A service's final environment as compose v2 computes it: the `env_file`
 * files in order, then `environment` on top; an entry without a value
 * (`- FOO`) takes the variable from the project's environment, and stays
 * unset (null) when there is none. A required env file that is missing is an error.
 */
import { readFileSync } from 'node:fs';
import { invalid } from '../lib/errors.js';
import { parseDotenv } from './dotenv.js';
import type { Lookup } from './interpolate.js';

type Dict = Record<string, unknown>;

export function resolveServiceEnvironment(name: string, service: Dict, lookup: Lookup): void {
  const merged: Record<string, string | null> = {};
  for (const entry of (service.env_file as Array<{ path: string; required?: boolean }> | undefined) ?? []) {
    let text: string;
    try {
      text = readFileSync(entry.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (entry.required === false) continue;
      throw invalid(`env file ${entry.path} not found: stat ${entry.path}: no such file or directory`);
    }
    Object.assign(merged, parseDotenv(text, entry.path, lookup));
  }
  Object.assign(merged, (service.environment as Record<string, string | null> | undefined) ?? {});
  for (const [key, value] of Object.entries(merged)) if (value === null && lookup(key) !== undefined) merged[key] = lookup(key) as string;
  if (Object.keys(merged).length > 0 || 'environment' in service) service.environment = merged;
  void name;
}

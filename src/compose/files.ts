/**
 * Which files make the project, as docker compose v2 finds them: `-f` files,
 * else COMPOSE_FILE, else the first of compose.yaml, compose.yml,
 * docker-compose.yml, docker-compose.yaml in the project directory (when
 * --project-directory names one, as compose-go's WithDefaultConfigPath
 * looks there), else the working directory, or the nearest parent that has
 * one, plus its override file if present.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { invalid } from '../lib/errors.js';

export const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
export const OVERRIDE_FILES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export interface FoundFiles {
  files: string[];
  warnings: string[];
}

/** `-` means stdin and is kept as is. `-f` and COMPOSE_FILE paths are relative to `cwd`; the search starts at `searchFrom`. */
export function findFiles(given: string[], cwd: string, env: Record<string, string | undefined>, searchFrom = cwd): FoundFiles {
  if (given.length > 0) return { files: given.map((f) => (f === '-' ? f : resolve(cwd, f))), warnings: [] };
  if (env.COMPOSE_FILE) {
    const sep = env.COMPOSE_PATH_SEPARATOR || ':';
    return { files: env.COMPOSE_FILE.split(sep).filter(Boolean).map((f) => resolve(cwd, f)), warnings: [] };
  }
  for (let dir = resolve(cwd, searchFrom); ; dir = dirname(dir)) {
    const found = DEFAULT_FILES.filter((f) => existsSync(join(dir, f)));
    if (found.length > 0) {
      const warnings = found.length > 1 ? [`Found multiple config files with supported names: ${found.map((f) => join(dir, f)).join(', ')}\nUsing ${join(dir, found[0])}`] : [];
      const override = OVERRIDE_FILES.find((f) => existsSync(join(dir, f)));
      return { files: [join(dir, found[0]), ...(override ? [join(dir, override)] : [])], warnings };
    }
    if (dirname(dir) === dir) break;
  }
  throw invalid('no configuration file provided: not found');
}

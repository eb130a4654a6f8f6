/**
 * Top-level `include` (14-include.md): each entry is loaded as a compose
 * application of its own (its own project directory for relative paths,
 * its own env files for interpolation, under the including project's
 * environment), after the project's files are merged (its paths relative
 * to the file that includes it); its resources are
 * copied in, and a name defined on both sides is an error rather than a merge.
 */
import { dirname, resolve } from 'node:path';
import { invalid } from '../lib/errors.js';

type Dict = Record<string, unknown>;

export interface IncludeEntry {
  paths: string[];
  projectDirectory: string;
  envFiles: string[];
}

/** Loads one entry's files (merged in order) as a model tree, its own includes applied. */
export type IncludeLoader = (entry: IncludeEntry) => Dict;

const SECTIONS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** `include:` entries, short or long syntax, with paths resolved against `baseDir`. */
export function includeEntries(value: unknown, baseDir: string): IncludeEntry[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const entry = (typeof item === 'string' ? { path: item } : item) as Dict;
    const paths = (Array.isArray(entry.path) ? entry.path : [entry.path]).map((p) => resolve(baseDir, String(p)));
    const projectDirectory = entry.project_directory ? resolve(baseDir, String(entry.project_directory)) : dirname(paths[0]);
    const envFiles = entry.env_file === undefined ? [] : (Array.isArray(entry.env_file) ? entry.env_file : [entry.env_file]).map((f) => resolve(baseDir, String(f)));
    return { paths, projectDirectory, envFiles };
  });
}

/**
 * A file's `include:` in long syntax with absolute paths: relative ones are
 * the including file's (its directory, whatever the project directory), and
 * they are resolved before the files are merged, after which no entry knows
 * which file it came from.
 */
export function canonicalIncludes(value: unknown, fileDir: string): Dict[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return includeEntries(value, fileDir).map((e) => ({ path: e.paths, project_directory: e.projectDirectory, ...(e.envFiles.length ? { env_file: e.envFiles } : {}) }));
}

/** The merged tree with every included application's resources copied in. */
export function applyIncludes(tree: Dict, baseDir: string, load: IncludeLoader): Dict {
  const out: Dict = { ...tree };
  delete out.include;
  for (const entry of includeEntries(tree.include, baseDir)) {
    const included = load(entry);
    for (const section of SECTIONS) {
      const theirs = (included[section] ?? {}) as Dict;
      const ours = { ...((out[section] ?? {}) as Dict) };
      for (const [name, def] of Object.entries(theirs)) {
        if (name in ours && JSON.stringify(ours[name]) !== JSON.stringify(def)) {
          throw invalid(`imported compose file ${entry.paths.join(', ')} defines conflicting ${section.slice(0, -1)} ${name}`);
        }
        ours[name] = def;
      }
      if (Object.keys(ours).length > 0) out[section] = ours;
    }
  }
  return out;
}

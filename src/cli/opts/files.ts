/**
 * docker's key=value files (`--env-file`, `--label-file`) and the Go-style
 * wording of file errors (`open /x: no such file or directory`) it prints.
 */
import { readFileSync } from 'node:fs';

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** Go's *PathError text for a failed `op` on `path`. */
export function goPathError(op: string, path: string, err: unknown): Error {
  const code = (err as { code?: string }).code ?? '';
  return new Error(`${op} ${path}: ${ERRNO_TEXT[code] ?? (err as Error).message}`);
}

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw goPathError('open', path, err);
  }
}

/**
 * moby's parseKeyValueFile: blank and `#` lines skipped, leading whitespace
 * trimmed, names without whitespace. A bare `NAME` takes its value from the
 * environment when lookup is given (env files) and is dropped if unset.
 */
export function parseKeyValueFile(path: string, lookup?: (name: string) => string | undefined): string[] {
  const lines: string[] = [];
  const text = readTextFile(path).replace(/^\uFEFF/, '');
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').replace(/^[ \t\n\v\f\r]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line : line.slice(0, eq);
    if (name === '') throw new Error(`no variable name on line '${line}'`);
    if (/\s/.test(name)) throw new Error(`variable '${name}' contains whitespaces`);
    if (eq !== -1 || !lookup) {
      lines.push(line);
      continue;
    }
    const value = lookup(name);
    if (value !== undefined) lines.push(`${name}=${value}`);
  }
  return lines;
}

/** opts.ValidateEnv: a bare `NAME` is filled from the caller's environment when set. */
export function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  if (value.includes('=')) return value;
  const found = env[value];
  return found === undefined ? value : `${value}=${found}`;
}

/** opts.ConvertKVStringsToMap: `k=v` → k: v, `k` → k: "". */
export function kvToMap(values: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq === -1) map[value] = '';
    else map[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return map;
}

/**
 * Variable interpolation of compose files (compose-spec 12-interpolation.md):
 * `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`,
 * `${VAR:+a}`, `${VAR+a}`, nesting inside the default/alternative, and `$$`
 * for a literal dollar. Applied to values only, never to mapping keys.
 */
import { invalid } from '../lib/errors.js';

export type Lookup = (name: string) => string | undefined;

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** What went wrong in one string; the caller adds the key path. */
export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly required = false,
  ) {
    super(message);
    this.name = 'InterpolationError';
  }
}

/** Interpolates one string. `warn` hears about variables that are not set and have no default. */
export function interpolateString(text: string, lookup: Lookup, warn: (name: string) => void = () => {}): string {
  const [out, end] = expand(text, 0, lookup, warn, false);
  if (end !== text.length) throw new InterpolationError(`invalid interpolation format for ${text}`);
  return out;
}

/**
 * Expands from `pos`; inside a braced modifier (`nested`) it stops at the
 * closing `}` that ends the enclosing `${…}` and returns its position.
 */
function expand(text: string, pos: number, lookup: Lookup, warn: (name: string) => void, nested: boolean): [string, number] {
  let out = '';
  let i = pos;
  while (i < text.length) {
    const c = text[i];
    if (nested && c === '}') return [out, i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const [value, end] = braced(text, i + 2, lookup, warn);
      out += value;
      i = end + 1;
    } else {
      const name = NAME.exec(text.slice(i + 1))?.[0];
      if (!name) {
        // A `$` not followed by a name is kept as is (spec: "preserved without attempt to interpolate").
        out += '$';
        i++;
        continue;
      }
      out += resolve(name, lookup, warn);
      i += 1 + name.length;
    }
  }
  if (nested) throw new InterpolationError(`invalid interpolation format for ${text}`);
  return [out, i];
}

/** Parses `NAME[op word]}` starting after `${`; returns the value and the index of the closing brace. */
function braced(text: string, pos: number, lookup: Lookup, warn: (name: string) => void): [string, number] {
  const name = NAME.exec(text.slice(pos))?.[0];
  if (!name) throw new InterpolationError(`invalid interpolation format for ${text}`);
  let i = pos + name.length;
  if (text[i] === '}') return [resolve(name, lookup, warn), i];
  const op = /^(:-|:\?|:\+|-|\?|\+)/.exec(text.slice(i))?.[0];
  if (!op) throw new InterpolationError(`invalid interpolation format for ${text}`);
  i += op.length;
  const [word, end] = expand(text, i, lookup, warn, true);
  const value = lookup(name);
  const unsetOrEmpty = value === undefined || value === '';
  const missing = op.startsWith(':') ? unsetOrEmpty : value === undefined;
  switch (op) {
    case ':-':
    case '-':
      return [missing ? word : (value as string), end];
    case ':+':
    case '+':
      return [missing ? '' : word, end];
    default:
      if (missing) throw new InterpolationError(`required variable ${name} is missing a value${word ? `: ${word}` : ''}`, true);
      return [value as string, end];
  }
}

function resolve(name: string, lookup: Lookup, warn: (name: string) => void): string {
  const value = lookup(name);
  if (value === undefined) {
    warn(name);
    return '';
  }
  return value;
}

/**
 * Interpolates every string value of a parsed YAML tree in place order,
 * returning a new tree; `path` names the key for error messages, which are
 * EngineErrors of kind invalid (the caller may prefix the file and line).
 */
export function interpolateTree(tree: unknown, lookup: Lookup, warn: (name: string) => void, onError: (path: string, err: InterpolationError) => never, path = ''): unknown {
  if (typeof tree === 'string') {
    try {
      return interpolateString(tree, lookup, warn);
    } catch (err) {
      if (err instanceof InterpolationError) onError(path, err);
      throw err;
    }
  }
  if (Array.isArray(tree)) return tree.map((v, i) => interpolateTree(v, lookup, warn, onError, `${path}[${i}]`));
  if (tree && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = interpolateTree(v, lookup, warn, onError, path ? `${path}.${k}` : k);
    return out;
  }
  return tree;
}

/** The error compose v2 prints for a bad value; required-variable errors stand alone. */
export function interpolationFailure(where: string, path: string, err: InterpolationError): never {
  if (err.required) throw invalid(`${where}${err.message}`);
  throw invalid(`${where}invalid interpolation format for ${path}.\nYou may need to escape any $ with another $.\n${err.message.replace(/^invalid interpolation format for /, '')}`);
}

import { invalid, type EngineError } from './errors.js';

/**
 * moby's invalidFilter error (dockerd 20.10, capital I): "Invalid filter 'name'",
 * or with the value that failed "Invalid filter 'name=value'"; a list of
 * values reads as Go prints a []string ("Invalid filter 'dangling=[x]'").
 */
export function invalidFilter(name: string, value?: string | string[]): EngineError {
  if (value === undefined) return invalid(`Invalid filter '${name}'`);
  return invalid(`Invalid filter '${name}=${Array.isArray(value) ? `[${value.join(' ')}]` : value}'`);
}

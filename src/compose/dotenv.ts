/**
 * `.env` and `--env-file` files as compose v2 reads them (compose-go's
 * dotenv): `KEY=VALUE` lines, `export ` prefixes, `#` comments, single quotes
 * literal, double quotes with escapes, and `${VAR}` in unquoted and
 * double-quoted values expanded from the variables known so far.
 */
import { invalid } from '../lib/errors.js';
import { interpolateString, InterpolationError, type Lookup } from './interpolate.js';

export function parseDotenv(text: string, file: string, outer: Lookup): Record<string, string> {
  const vars: Record<string, string> = {};
  const lookup: Lookup = (name) => outer(name) ?? vars[name];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=(.*))?$/.exec(line);
    if (!m) throw invalid(`${file}:${i + 1}: unexpected character in variable name ${JSON.stringify(line)}`);
    const [, key, raw] = m;
    if (raw === undefined) {
      // A bare `KEY` takes its value from the environment, if any.
      const value = outer(key);
      if (value !== undefined) vars[key] = value;
      continue;
    }
    try {
      vars[key] = value(raw.trim(), lookup);
    } catch (err) {
      if (err instanceof InterpolationError) throw invalid(`${file}:${i + 1}: ${err.message}`);
      throw err;
    }
  }
  return vars;
}

function value(raw: string, lookup: Lookup): string {
  if (raw.startsWith("'")) {
    const end = raw.indexOf("'", 1);
    return end < 0 ? raw.slice(1) : raw.slice(1, end);
  }
  if (raw.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(raw);
    const body = m ? m[1] : raw.slice(1);
    const unescaped = body.replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
    return interpolateString(unescaped, lookup);
  }
  // An unquoted value ends at ` #` (an inline comment).
  const comment = raw.search(/\s#/);
  return interpolateString((comment < 0 ? raw : raw.slice(0, comment)).trim(), lookup);
}

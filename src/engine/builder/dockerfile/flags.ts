/**
 * Instruction flags (`COPY --from=build`), checked as moby's BFlags checks
 * them: each instruction declares the flags it knows; a string flag needs
 * `=value`, a bool flag takes none or `=true|false`, and only a repeatable
 * flag may be given twice.
 */
import { invalid } from '../../../lib/errors.js';

export type FlagKind = 'string' | 'bool' | 'repeatable';
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/**
 * The flags given, by name, in the order first given; bools read 'true' or
 * 'false', a repeatable flag holds its last value.
 */
export function parseFlags(words: readonly string[], spec: FlagSpec): Map<string, string> {
  const given = new Map<string, string>();
  for (const word of words) {
    const equals = word.indexOf('=');
    const name = (equals < 0 ? word : word.slice(0, equals)).slice(2);
    const value = equals < 0 ? undefined : word.slice(equals + 1);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) throw invalid(`Unknown flag: ${name}`);
    if (given.has(name) && kind !== 'repeatable') throw invalid(`Duplicate flag specified: ${name}`);
    given.set(name, kind === 'bool' ? boolValue(name, value) : stringValue(name, value));
  }
  return given;
}

function boolValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'true';
  if (value === '') throw invalid(`Missing a value on flag: ${name}`);
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') throw invalid(`Expecting boolean value for flag ${name}, not: ${value}`);
  return lower;
}

function stringValue(name: string, value: string | undefined): string {
  if (value === undefined) throw invalid(`Missing a value on flag: ${name}`);
  return value;
}

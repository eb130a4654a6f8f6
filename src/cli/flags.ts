/**
 * A flag parser with spf13/pflag's behaviour, so berth accepts exactly what
 * docker accepts: shorthand clusters (`-aq`), `-f=x`, `-fx`, `--flag=value`,
 * `--flag value`, repeatable flags, `--bool=false`, the `--` terminator, and
 * per-command interspersed mode (docker's run/exec stop at the first
 * positional; image commands let flags follow positionals). Error texts are
 * pflag's, because users and scripts match on them.
 */

export type FlagType = 'bool' | 'string' | 'stringArray' | 'int';

export interface FlagSpec {
  long: string;
  short?: string;
  type: FlagType;
  usage: string;
  /** Shown in help as `(default …)`; also the parsed value when the flag is absent. */
  default?: boolean | string | number | string[];
  /** Placeholder in help, e.g. `string`, `filter`, `list`. */
  valueName?: string;
  /** Extra validation (docker's typed flag values); throw an Error with the reason. */
  validate?: (value: string) => void;
}

export type FlagValue = boolean | string | number | string[];
export type FlagValues = Record<string, FlagValue>;

export interface ParsedArgs {
  flags: FlagValues;
  /** Long names of flags the user actually set. */
  changed: Set<string>;
  args: string[];
}

export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export function flagDisplayName(spec: FlagSpec): string {
  return spec.short ? `-${spec.short}, --${spec.long}` : `--${spec.long}`;
}

function initialValues(specs: readonly FlagSpec[]): FlagValues {
  const values: FlagValues = {};
  for (const spec of specs) {
    if (spec.type === 'stringArray') values[spec.long] = [...((spec.default as string[] | undefined) ?? [])];
    else if (spec.type === 'bool') values[spec.long] = (spec.default as boolean | undefined) ?? false;
    else if (spec.type === 'int') values[spec.long] = (spec.default as number | undefined) ?? 0;
    else values[spec.long] = (spec.default as string | undefined) ?? '';
  }
  return values;
}

function parseBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

function assign(spec: FlagSpec, raw: string, result: ParsedArgs): void {
  const invalid = (reason: string) => new FlagError(`invalid argument "${raw}" for "${flagDisplayName(spec)}" flag: ${reason}`);
  if (spec.type === 'bool') {
    const value = parseBool(raw);
    if (value === undefined) throw invalid(`strconv.ParseBool: parsing "${raw}": invalid syntax`);
    result.flags[spec.long] = value;
  } else if (spec.type === 'int') {
    if (!/^[-+]?\d+$/.test(raw)) throw invalid(`strconv.ParseInt: parsing "${raw}": invalid syntax`);
    result.flags[spec.long] = Number(raw);
  } else {
    try {
      spec.validate?.(raw);
    } catch (err) {
      throw invalid(err instanceof Error ? err.message : String(err));
    }
    if (spec.type === 'stringArray') (result.flags[spec.long] as string[]).push(raw);
    else result.flags[spec.long] = raw;
  }
  result.changed.add(spec.long);
}

/**
 * Parses argv (without the command path). A repeatable flag's default is
 * replaced, not appended to, on first use — as pflag's stringArray does.
 */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], interspersed = true): ParsedArgs {
  const byLong = new Map(specs.map((s) => [s.long, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const result: ParsedArgs = { flags: initialValues(specs), changed: new Set(), args: [] };
  const setValue = (spec: FlagSpec, raw: string) => {
    if (spec.type === 'stringArray' && !result.changed.has(spec.long)) result.flags[spec.long] = [];
    assign(spec, raw, result);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      result.args.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (!interspersed) {
        result.args.push(...argv.slice(i));
        break;
      }
      result.args.push(arg);
      continue;
    }
    if (arg.startsWith('--')) {
      i = parseLong(arg, argv, i, byLong, setValue);
    } else {
      i = parseShortCluster(arg, argv, i, byShort, setValue);
    }
  }
  return result;
}

type Setter = (spec: FlagSpec, raw: string) => void;

function parseLong(arg: string, argv: readonly string[], i: number, byLong: Map<string, FlagSpec>, set: Setter): number {
  const body = arg.slice(2);
  const eq = body.indexOf('=');
  const name = eq === -1 ? body : body.slice(0, eq);
  const spec = byLong.get(name);
  if (!spec) throw new FlagError(`unknown flag: --${name}`);
  if (eq !== -1) set(spec, body.slice(eq + 1));
  else if (spec.type === 'bool') set(spec, 'true');
  else if (i + 1 < argv.length) {
    set(spec, argv[i + 1]);
    return i + 1;
  } else throw new FlagError(`flag needs an argument: --${name}`);
  return i;
}

function parseShortCluster(arg: string, argv: readonly string[], i: number, byShort: Map<string, FlagSpec>, set: Setter): number {
  const cluster = arg.slice(1);
  for (let c = 0; c < cluster.length; c++) {
    const letter = cluster[c];
    const spec = byShort.get(letter);
    if (!spec) throw new FlagError(`unknown shorthand flag: '${letter}' in -${cluster}`);
    const rest = cluster.slice(c + 1);
    if (rest.startsWith('=')) {
      set(spec, rest.slice(1));
      return i;
    }
    if (spec.type === 'bool') {
      set(spec, 'true');
      continue;
    }
    if (rest) {
      set(spec, rest);
      return i;
    }
    if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${letter}' in -${letter}`);
    set(spec, argv[i + 1]);
    return i + 1;
  }
  return i;
}

/** Renders the Options block of `--help`, in pflag's layout. */
export function flagUsages(specs: readonly FlagSpec[]): string {
  const lines = [...specs]
    .sort((a, b) => (a.long < b.long ? -1 : 1))
    .map((spec) => {
      let left = spec.short ? `  -${spec.short}, --${spec.long}` : `      --${spec.long}`;
      if (spec.type !== 'bool') left += ` ${spec.valueName ?? (spec.type === 'stringArray' ? 'stringArray' : spec.type)}`;
      return { left, right: spec.usage + defaultSuffix(spec) };
    });
  const width = Math.max(...lines.map((l) => l.left.length));
  // Continuation lines of a multi-line usage line up under its first line, as pflag does.
  const indent = ' '.repeat(width + 3);
  return lines.map((l) => `${l.left.padEnd(width)}   ${l.right.split('\n').join(`\n${indent}`)}`).join('\n') + '\n';
}

function defaultSuffix(spec: FlagSpec): string {
  const value = spec.default;
  if (value === undefined || value === false || value === '' || value === 0) return '';
  if (Array.isArray(value)) return value.length ? ` (default [${value.join(',')}])` : '';
  if (spec.type === 'string') return ` (default "${value}")`;
  return ` (default ${value})`;
}

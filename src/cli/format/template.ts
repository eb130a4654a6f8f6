/**
 * Executes docker `--format` templates (a Go text/template subset, see
 * template-parse.ts) with the functions docker registers (json, join, split,
 * lower, upper, title, truncate, pad, println) plus Go's builtins.
 *
 * Values follow Go's printing rules: slices print as `[a b]`, maps as
 * `map[k:v]` (sorted keys), structs as `{a b}`, nil as `<nil>`, and a missing
 * map key as `<no value>`. Plain objects are maps; objects made with
 * goStruct() are structs, and asking them for an unknown field is an error,
 * exactly as Go reports it.
 */
import { parseTemplate, TemplateError, type Arg, type BlockNode, type Command, type Node, type Pipeline } from './template-parse.js';

export { TemplateError } from './template-parse.js';

const STRUCT_TYPE = Symbol('goStructType');
const MARSHALS_JSON = Symbol('goMarshalsJson');
/** Go's zero value printed for a missing map key. */
export const NO_VALUE = Symbol('noValue');

type GoStruct = Record<string, unknown> & { [STRUCT_TYPE]?: string };

/** Marks an object as a Go struct of the given type name (for errors and printing). */
export function goStruct<T extends object>(value: T, typeName: string): T {
  Object.defineProperty(value, STRUCT_TYPE, { value: typeName, enumerable: false });
  return value;
}

/**
 * Gives a struct a Go method taking arguments (`{{.Label "tier"}}`): a
 * property that is not a field, so it is never printed nor encoded.
 */
export function goMethod<T extends object>(value: T, name: string, method: (...args: string[]) => unknown): T {
  Object.defineProperty(value, name, { value: method, enumerable: false });
  return value;
}

/**
 * Marks a struct whose MarshalJSON goes through Go's json.Marshal (docker's
 * formatter contexts): `{{json .}}` of it escapes <, > and & as \u003c….
 */
export function goMarshalsJson<T extends object>(value: T): T {
  Object.defineProperty(value, MARSHALS_JSON, { value: true, enumerable: false });
  return value;
}

/** A Go nil slice: prints `[]` in a template, `null` in JSON. */
export function goNilSlice<T>(): T[] {
  const slice: T[] = [];
  Object.defineProperty(slice, 'toJSON', { value: () => null, enumerable: false });
  return slice;
}

function structType(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? (value as GoStruct)[STRUCT_TYPE] : undefined;
}

export interface TemplateOptions {
  /** Extra or overriding functions (docker's header rendering replaces json/join/…). */
  funcs?: Record<string, TemplateFunc>;
  /** Go's `missingkey=error` (docker inspect) instead of printing `<no value>`. */
  missingKeyError?: boolean;
}

export type TemplateFunc = (...args: unknown[]) => unknown;

/** Go's fmt %v rendering of a value. */
export function goString(value: unknown): string {
  if (value === NO_VALUE) return '<no value>';
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(goString).join(' ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (structType(value)) return `{${entries.map(([, v]) => goString(v)).join(' ')}}`;
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${goString(v)}`).join(' ')}]`;
  }
  return String(value);
}

/** Go's template truth: false, 0, nil, and empty strings, slices and maps are false. */
function isTrue(value: unknown): boolean {
  if (value === NO_VALUE || value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object' && !structType(value)) return Object.keys(value as object).length > 0;
  return true;
}

/** JSON the way docker's `json` template function encodes: no HTML escaping, Go key order. */
export function goJson(value: unknown): string {
  const text = plainJson(value);
  const marshaled = typeof value === 'object' && value !== null && (value as { [MARSHALS_JSON]?: boolean })[MARSHALS_JSON];
  return marshaled ? text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
}

function plainJson(value: unknown): string {
  return JSON.stringify(value === NO_VALUE ? null : value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !structType(v)) {
      return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  }) ?? 'null';
}

function titleCase(text: string): string {
  return text.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, letter: string) => sep + letter.toUpperCase());
}

function truncateRunes(text: string, length: number): string {
  const runes = [...text];
  return runes.length > length ? runes.slice(0, length).join('') : text;
}

function indexValue(container: unknown, ...keys: unknown[]): unknown {
  let value = container;
  for (const key of keys) {
    if (Array.isArray(value)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= value.length) throw new TemplateError(`error calling index: index out of range: ${goString(key)}`);
      value = value[i];
    } else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      value = Object.prototype.hasOwnProperty.call(record, String(key)) ? record[String(key)] : NO_VALUE;
    } else if (value === null || value === undefined || value === NO_VALUE) {
      throw new TemplateError('error calling index: index of untyped nil');
    } else {
      throw new TemplateError(`error calling index: can't index item of type ${typeof value}`);
    }
  }
  return value;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError('error calling lt: incompatible types for comparison');
}

/** A small Go fmt.Sprintf: %s %v %d %q %t %x %%, with width and `-` flag. */
export function goSprintf(format: string, ...args: unknown[]): string {
  let next = 0;
  return format.replace(/%([-+ 0#]*)(\d*)(?:\.(\d+))?([svdqtxXf%])/g, (_m, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    let text: string;
    if (verb === 'q') text = JSON.stringify(goString(arg));
    else if (verb === 'x' || verb === 'X') text = typeof arg === 'number' ? arg.toString(16) : Buffer.from(goString(arg)).toString('hex');
    else if (verb === 'f') text = Number(arg).toFixed(precision === undefined ? 6 : Number(precision));
    else if (verb === 'd' && typeof arg !== 'number') text = `%!d(${typeof arg}=${goString(arg)})`;
    else text = goString(arg);
    if (verb === 'X') text = text.toUpperCase();
    if (verb === 's' && precision !== undefined) text = truncateRunes(text, Number(precision));
    const pad = Math.max(0, Number(width || 0) - [...text].length);
    return flags.includes('-') ? text + ' '.repeat(pad) : ' '.repeat(pad) + text;
  });
}

/** Functions available in every template: Go's builtins plus docker's basicFunctions. */
export const BASE_FUNCS: Record<string, TemplateFunc> = {
  json: (v) => goJson(v),
  join: (list, sep) => (Array.isArray(list) ? list.map(goString).join(String(sep)) : goString(list)),
  split: (text, sep) => String(text).split(String(sep)),
  lower: (text) => String(goString(text)).toLowerCase(),
  upper: (text) => String(goString(text)).toUpperCase(),
  title: (text) => titleCase(goString(text)),
  truncate: (text, length) => truncateRunes(goString(text), Number(length)),
  // docker's padWithSpace leaves an empty string empty.
  pad: (text, before, after) => (goString(text) === '' ? '' : ' '.repeat(Number(before)) + goString(text) + ' '.repeat(Number(after))),
  println: (...args) => args.map(goString).join(' ') + '\n',
  print: (...args) => args.map(goString).join(''),
  printf: (format, ...args) => goSprintf(String(format), ...args),
  index: (container, ...keys) => indexValue(container, ...keys),
  len: (v) => (typeof v === 'string' ? Buffer.byteLength(v) : Array.isArray(v) ? v.length : v && typeof v === 'object' ? Object.keys(v).length : 0),
  not: (v) => !isTrue(v),
  and: (...args) => args.find((a) => !isTrue(a)) ?? args[args.length - 1],
  or: (...args) => args.find((a) => isTrue(a)) ?? args[args.length - 1],
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare(a, b) < 0,
  le: (a, b) => compare(a, b) <= 0,
  gt: (a, b) => compare(a, b) > 0,
  ge: (a, b) => compare(a, b) >= 0,
};

type Scope = Map<string, unknown>;

/** The first command of a pipeline has nothing piped into it. */
const NOTHING_PIPED: unknown[] = [];

class Executor {
  private out = '';

  constructor(
    private readonly funcs: Record<string, TemplateFunc>,
    private readonly missingKeyError: boolean,
  ) {}

  run(nodes: Node[], dot: unknown): string {
    this.walk(nodes, dot, new Map([['$', dot]]));
    return this.out;
  }

  private walk(nodes: Node[], dot: unknown, scope: Scope): void {
    for (const node of nodes) {
      if (node.kind === 'text') this.out += node.text;
      else if (node.kind === 'action') {
        const value = this.pipeline(node.pipe, dot, scope);
        if (node.pipe.declare.length === 0) this.out += goString(value);
      } else if (node.kind === 'range') this.range(node, dot, scope);
      else {
        const inner = new Map(scope);
        const value = this.pipeline(node.pipe, dot, inner);
        if (isTrue(value)) this.walk(node.body, node.kind === 'with' ? value : dot, inner);
        else this.walk(node.elseBody, dot, inner);
      }
    }
  }

  private range(node: BlockNode, dot: unknown, scope: Scope): void {
    const inner = new Map(scope);
    const declared = node.pipe.declare;
    const value = this.pipeline({ ...node.pipe, declare: [] }, dot, inner);
    let entries: Array<[unknown, unknown]>;
    if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
    else if (value && typeof value === 'object') entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    else if (value === null || value === undefined || value === NO_VALUE) entries = [];
    else throw this.error(node.pipe, `range can't iterate over ${goString(value)}`);
    if (entries.length === 0) return this.walk(node.elseBody, dot, inner);
    for (const [key, element] of entries) {
      if (declared.length === 1) inner.set(declared[0], element);
      if (declared.length === 2) {
        inner.set(declared[0], key);
        inner.set(declared[1], element);
      }
      this.walk(node.body, element, inner);
    }
  }

  private pipeline(pipe: Pipeline, dot: unknown, scope: Scope): unknown {
    let value: unknown = undefined;
    for (let i = 0; i < pipe.commands.length; i++) value = this.command(pipe, pipe.commands[i], dot, scope, i === 0 ? NOTHING_PIPED : [value]);
    for (const name of pipe.declare) scope.set(name, value);
    return value;
  }

  private command(pipe: Pipeline, command: Command, dot: unknown, scope: Scope, piped: unknown[]): unknown {
    const first = command.args[0];
    // The common `{{.Field}}`: a table of a few hundred rows runs it thousands of times.
    if (command.args.length === 1 && piped.length === 0 && first.kind === 'field' && first.base === 'dot') {
      const value = this.fieldPath(pipe, dot, first.path, '');
      if (typeof value !== 'function') return value;
    }
    const rest = command.args.slice(1);
    if (first.kind === 'func') {
      const fn = this.funcs[first.name];
      if (!fn) throw this.error(pipe, `function "${first.name}" not defined`);
      const args = [...rest.map((a) => this.operand(pipe, a, dot, scope)), ...piped];
      try {
        return fn(...args);
      } catch (err) {
        throw this.error(pipe, err instanceof Error ? err.message : String(err), `<${first.name}>`);
      }
    }
    const value = this.operand(pipe, first, dot, scope);
    if (typeof value === 'function') return this.callMethod(pipe, first, value as TemplateFunc, [...rest.map((a) => this.operand(pipe, a, dot, scope)), ...piped]);
    if (rest.length > 0 || piped.length > 0) throw this.error(pipe, `can't give argument to non-function ${describe(first)}`);
    return value;
  }

  /** A struct's method (goMethod), called with Go's arity check. */
  private callMethod(pipe: Pipeline, field: Arg, method: TemplateFunc, args: unknown[]): unknown {
    const name = describe(field).split('.').pop()!;
    if (args.length !== method.length) throw this.error(pipe, `wrong number of args for ${name}: want ${method.length} got ${args.length}`, `<${describe(field)}>`);
    return method(...args.map(goString));
  }

  private operand(pipe: Pipeline, arg: Arg, dot: unknown, scope: Scope): unknown {
    switch (arg.kind) {
      case 'literal':
        return arg.value;
      case 'func': {
        const fn = this.funcs[arg.name];
        if (!fn) throw this.error(pipe, `function "${arg.name}" not defined`);
        return fn();
      }
      case 'pipe':
        return this.fieldPath(pipe, this.pipeline(arg.pipe, dot, scope), arg.path, '');
      case 'field': {
        if (arg.base === 'dot') return this.fieldPath(pipe, dot, arg.path, '');
        if (!scope.has(arg.base.variable)) throw this.error(pipe, `undefined variable "${arg.base.variable}"`);
        return this.fieldPath(pipe, scope.get(arg.base.variable), arg.path, arg.base.variable);
      }
    }
  }

  private fieldPath(pipe: Pipeline, start: unknown, path: string[], prefix: string): unknown {
    let value = start;
    for (let i = 0; i < path.length; i++) {
      const name = path[i];
      const shown = () => `<${prefix}.${path.slice(0, i + 1).join('.')}>`;
      if (value === null || value === undefined || value === NO_VALUE) {
        throw this.error(pipe, `nil pointer evaluating interface {}.${name}`, shown());
      }
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw this.error(pipe, `can't evaluate field ${name} in type ${goTypeName(value)}`, shown());
      }
      const record = value as Record<string, unknown>;
      if (Object.prototype.hasOwnProperty.call(record, name)) {
        value = record[name];
        continue;
      }
      const type = structType(value);
      if (type) throw this.error(pipe, `can't evaluate field ${name} in type ${type}`, shown());
      if (this.missingKeyError) throw this.error(pipe, `map has no entry for key "${name}"`, shown());
      value = NO_VALUE;
    }
    return value;
  }

  private error(pipe: Pipeline, message: string, at?: string): TemplateError {
    const line = pipe.source.slice(0, pipe.position).split('\n');
    const column = line[line.length - 1].length + 2;
    const location = `template: :${line.length}:${column}`;
    return new TemplateError(at ? `${location}: executing "" at ${at}: ${message}` : `${location}: ${message}`);
  }
}

function describe(arg: Arg): string {
  if (arg.kind === 'field') return `.${arg.path.join('.')}`;
  if (arg.kind === 'literal') return goString(arg.value);
  return 'pipeline';
}

function goTypeName(value: unknown): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) return '[]interface {}';
  return 'interface {}';
}

export interface CompiledTemplate {
  execute(data: unknown, options?: TemplateOptions): string;
}

/** Parses once; execute as often as needed (once per table row). */
export function compileTemplate(source: string, defaults: TemplateOptions = {}): CompiledTemplate {
  const nodes = parseTemplate(source);
  // Merged once, not per row: most executions add no functions of their own.
  const defaultFuncs = { ...BASE_FUNCS, ...defaults.funcs };
  return {
    execute(data, options = {}) {
      const funcs = options.funcs ? { ...defaultFuncs, ...options.funcs } : defaultFuncs;
      const missingKeyError = options.missingKeyError ?? defaults.missingKeyError ?? false;
      return new Executor(funcs, missingKeyError).run(nodes, data);
    },
  };
}

/** Convenience: parse and execute in one go. */
export function renderTemplate(source: string, data: unknown, options: TemplateOptions = {}): string {
  return compileTemplate(source, options).execute(data);
}

import { goMapOrder } from '../lib/go-map.js';
import { GoNumber, type GoJson } from './gojson-scan.js';

/**
 * The shape a request body must have, described as the Go type dockerd
 * decodes it into, so a wrong-typed field is refused with the message Go's
 * encoding/json gives ("json: cannot unmarshal array into Go struct field
 * VolumeCreateBody.Labels of type map[string]string") before any route code
 * sees the value. Decoding yields plain JavaScript values of the promised
 * types: fields matched case-insensitively as Go does, renamed to their
 * canonical spelling; unknown fields dropped; nulls left out (Go leaves a
 * field it is given null for at its zero value).
 */
export type GoType =
  | { kind: 'string' | 'bool' | 'float' | 'any'; go: string }
  | { kind: 'int'; go: string; min: bigint; max: bigint }
  | { kind: 'struct'; go: string; fields: Record<string, GoType> }
  | { kind: 'array' | 'map'; go: string; elem: GoType };

const int = (go: string, bits: number, signed: boolean): GoType => ({
  kind: 'int', go,
  min: signed ? -(1n << BigInt(bits - 1)) : 0n,
  max: signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n,
});

export const go = {
  string: { kind: 'string', go: 'string' } as GoType,
  bool: { kind: 'bool', go: 'bool' } as GoType,
  float64: { kind: 'float', go: 'float64' } as GoType,
  any: { kind: 'any', go: 'interface {}' } as GoType,
  int: int('int', 64, true),
  int64: int('int64', 64, true),
  uint16: int('uint16', 16, false),
  uint32: int('uint32', 32, false),
  uint64: int('uint64', 64, false),
  /** `name` is Go's qualified type name ("types.ExecConfig"); errors inside it name the part after the dot. */
  struct: (name: string, fields: Record<string, GoType>): GoType => ({ kind: 'struct', go: name, fields }),
  array: (elem: GoType, name = `[]${elem.go}`): GoType => ({ kind: 'array', go: name, elem }),
  map: (elem: GoType, name = `map[string]${elem.go}`): GoType => ({ kind: 'map', go: name, elem }),
};

export class GoTypeError extends Error {}

interface Where {
  /** The innermost struct being decoded ("" at the top), and the field names leading here. */
  struct: string;
  path: string[];
}

/** Decodes a scanned JSON value into `type`; throws GoTypeError with Go's message for the first mismatch. */
export function decodeGo(value: GoJson, type: GoType): unknown {
  return decode(value, type, { struct: '', path: [] }) ?? zeroOf(type);
}

function decode(value: GoJson, type: GoType, where: Where): unknown {
  if (value === null) return undefined;
  switch (type.kind) {
    case 'any':
      return plain(value);
    case 'string':
      if (typeof value !== 'string') mismatch(value, type, where);
      return value;
    case 'bool':
      if (typeof value !== 'boolean') mismatch(value, type, where);
      return value;
    case 'int':
    case 'float':
      if (!(value instanceof GoNumber)) mismatch(value, type, where);
      return number(value, type, where);
    case 'array':
      if (!Array.isArray(value)) mismatch(value, type, where);
      return value.map((v) => decode(v, type.elem, where) ?? zeroOf(type.elem));
    case 'map':
      if (!isObject(value)) mismatch(value, type, where);
      // Sorted, as Go writes a map back (network and volume labels, options: inspect shows them so).
      return goMapOrder(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v, type.elem, where) ?? zeroOf(type.elem)])));
    case 'struct':
      if (!isObject(value)) mismatch(value, type, where);
      return struct(value, type, where);
  }
}

function struct(value: { [key: string]: GoJson }, type: GoType & { kind: 'struct' }, where: Where): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const name = type.go.slice(type.go.lastIndexOf('.') + 1);
  for (const [key, v] of Object.entries(value)) {
    const field = fieldNamed(type.fields, key);
    if (field === undefined) continue;
    const decoded = decode(v, type.fields[field]!, { struct: name, path: [...where.path, field] });
    if (decoded !== undefined) out[field] = decoded;
  }
  return out;
}

/** Go matches a key to a field by exact name first, then case-insensitively. */
function fieldNamed(fields: Record<string, GoType>, key: string): string | undefined {
  if (Object.hasOwn(fields, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(fields).find((f) => f.toLowerCase() === lower);
}

function number(value: GoNumber, type: GoType, where: Where): number {
  if (type.kind === 'int') {
    if (!/^-?\d+$/.test(value.text)) mismatch(value, type, where, true);
    const n = BigInt(value.text);
    if (n < type.min || n > type.max) mismatch(value, type, where, true);
    return toDouble(n, type);
  }
  const n = Number(value.text);
  if (!Number.isFinite(n)) mismatch(value, type, where, true);
  return n;
}

/**
 * An integer as the double JavaScript keeps. Beyond 2^53 the double is
 * rounded, and JSON.stringify writes it in its shortest form: near the ends of
 * the Go type's range that text would be out of range for the next Go program
 * (`runc update` refuses "9223372036854776000" for an int64). Such values are
 * moved inward to the nearest double whose text still fits.
 */
function toDouble(n: bigint, type: { min: bigint; max: bigint }): number {
  let x = Number(n);
  while (BigInt(String(x)) > type.max) x *= 1 - 2 ** -53;
  while (BigInt(String(x)) < type.min) x *= 1 - 2 ** -53;
  return x;
}

function mismatch(value: GoJson, type: GoType, where: Where, withText = false): never {
  const what = withText && value instanceof GoNumber ? `number ${value.text}` : kindOf(value);
  const target = where.struct ? `Go struct field ${where.struct}.${where.path.join('.')}` : 'Go value';
  throw new GoTypeError(`json: cannot unmarshal ${what} into ${target} of type ${type.go}`);
}

function kindOf(value: GoJson): string {
  if (value instanceof GoNumber) return 'number';
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value === 'boolean' ? 'bool' : 'string';
}

function isObject(value: GoJson): value is { [key: string]: GoJson } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoNumber);
}

/** What Go leaves in an element it is given null for. */
function zeroOf(type: GoType): unknown {
  switch (type.kind) {
    case 'string': return '';
    case 'bool': return false;
    case 'int': case 'float': return 0;
    case 'struct': return {};
    default: return null;
  }
}

/** A scanned value as ordinary JavaScript (numbers as doubles, as Go's interface{} holds them). */
export function plain(value: GoJson): unknown {
  if (value instanceof GoNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map(plain);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * A validator for the JSON-schema (draft-07) keywords compose-spec.json uses:
 * type, properties, patternProperties, additionalProperties, required, items,
 * uniqueItems, enum, oneOf/anyOf, $ref (local), minimum, maximum, pattern.
 * It returns errors by key path (`services.web.ports[0]`) so the loader can
 * name the file and line. Keywords the schema does not use are not checked.
 */
import { childPath } from './source.js';

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  uniqueItems?: boolean;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  $ref?: string;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  definitions?: Record<string, Schema>;
}

export interface SchemaError {
  path: string;
  message: string;
  /** Where to point in the file when that is not `path` (an unknown key points at itself). */
  at?: string;
}

export class Validator {
  private readonly patterns = new Map<string, RegExp>();

  constructor(private readonly root: Schema) {}

  validate(value: unknown): SchemaError[] {
    return this.check(this.root, value, '');
  }

  private regex(source: string): RegExp {
    let re = this.patterns.get(source);
    if (!re) this.patterns.set(source, (re = new RegExp(source, 'u')));
    return re;
  }

  private resolveRef(ref: string): Schema {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    let node: unknown = this.root;
    for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part];
    if (!node) throw new Error(`unresolved $ref ${ref}`);
    return node as Schema;
  }

  private check(schema: Schema, value: unknown, path: string): SchemaError[] {
    if (schema.$ref) return this.check(this.resolveRef(schema.$ref), value, path);
    if (schema.type !== undefined) {
      const types = Array.isArray(schema.type) ? schema.type : [schema.type];
      if (!types.some((t) => hasType(value, t))) return [{ path, message: `must be ${types.map(article).join(' or ')}` }];
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) {
      return [{ path, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` }];
    }
    const errors: SchemaError[] = [];
    if (typeof value === 'number') errors.push(...checkRange(schema, value, path));
    if (typeof value === 'string' && schema.pattern && !this.regex(schema.pattern).test(value)) {
      errors.push({ path, message: `does not match pattern ${JSON.stringify(schema.pattern)}` });
    }
    if (Array.isArray(value)) errors.push(...this.checkArray(schema, value, path));
    else if (isObject(value)) errors.push(...this.checkObject(schema, value, path));
    if (schema.oneOf) errors.push(...this.checkAlternatives(schema.oneOf, value, path, true));
    if (schema.anyOf) errors.push(...this.checkAlternatives(schema.anyOf, value, path, false));
    return errors;
  }

  private checkArray(schema: Schema, value: unknown[], path: string): SchemaError[] {
    const errors: SchemaError[] = [];
    if (schema.items) value.forEach((item, i) => errors.push(...this.check(schema.items as Schema, item, childPath(path, i))));
    if (schema.uniqueItems) {
      const seen = new Map<string, number>();
      value.forEach((item, i) => {
        const key = JSON.stringify(item);
        const first = seen.get(key);
        if (first !== undefined) errors.push({ path: childPath(path, i), message: `items at index ${first} and ${i} are equal` });
        else seen.set(key, i);
      });
    }
    return errors;
  }

  private checkObject(schema: Schema, value: Record<string, unknown>, path: string): SchemaError[] {
    const errors: SchemaError[] = [];
    for (const name of schema.required ?? []) {
      if (!(name in value)) errors.push({ path, message: `missing property '${name}'` });
    }
    for (const [key, child] of Object.entries(value)) {
      const childAt = childPath(path, key);
      let matched = false;
      const property = schema.properties?.[key];
      if (property) {
        matched = true;
        errors.push(...this.check(property, child, childAt));
      }
      for (const [pattern, sub] of Object.entries(schema.patternProperties ?? {})) {
        if (!this.regex(pattern).test(key)) continue;
        matched = true;
        errors.push(...this.check(sub, child, childAt));
      }
      if (matched || schema.additionalProperties === undefined || schema.additionalProperties === true) continue;
      if (schema.additionalProperties === false) errors.push({ path, message: `additional properties '${key}' not allowed`, at: childAt });
      else errors.push(...this.check(schema.additionalProperties, child, childAt));
    }
    return errors;
  }

  /** oneOf/anyOf: when no branch fits, report the branch that got furthest (deepest error), as users expect. */
  private checkAlternatives(branches: Schema[], value: unknown, path: string, exactlyOne: boolean): SchemaError[] {
    const results = branches.map((b) => this.check(b, value, path));
    const passing = results.filter((r) => r.length === 0).length;
    if (passing === 1 || (passing > 1 && !exactlyOne)) return [];
    if (passing > 1) return [{ path, message: 'matches more than one of the allowed forms' }];
    const typeOnly = results.every((r) => r.length === 1 && r[0].path === path && r[0].message.startsWith('must be '));
    if (typeOnly) return [{ path, message: `must be ${results.map((r) => r[0].message.slice('must be '.length)).join(' or ')}` }];
    return results.reduce((best, r) => (depth(r) > depth(best) ? r : best));
  }
}

function checkRange(schema: Schema, value: number, path: string): SchemaError[] {
  if (schema.minimum !== undefined && value < schema.minimum) return [{ path, message: `must be >= ${schema.minimum}` }];
  if (schema.maximum !== undefined && value > schema.maximum) return [{ path, message: `must be <= ${schema.maximum}` }];
  return [];
}

function depth(errors: SchemaError[]): number {
  return Math.max(...errors.map((e) => e.path.length + (e.message.startsWith('must be ') ? 0 : 1)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return false;
  }
}

function article(type: string): string {
  return type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

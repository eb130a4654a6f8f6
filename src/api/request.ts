import type { IncomingMessage } from 'node:http';
import { invalid } from '../lib/errors.js';
import { readCapped, parseJson } from '../lib/compression.js';
import { bodyCutShort } from './bad-request.js';
import type { Filters } from '../engine/images/types.js';

/** JSON request bodies are read into memory only up to this size. */
export const JSON_BODY_LIMIT = 8 << 20;

export interface ApiRequest {
  raw: IncomingMessage;
  method: string;
  /** The path without the /vX.Y prefix. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version the client asked for (or the default). */
  version: string;
  /** Set when the client asked to upgrade the connection (attach, exec start): the raw socket. */
  upgrade?: { socket: import('node:stream').Duplex; head: Buffer };
}

export async function jsonBody<T>(req: ApiRequest, { optional = false } = {}): Promise<T | undefined> {
  const body = await readCapped(req.raw, JSON_BODY_LIMIT, 'request body');
  if (bodyCutShort(req.raw)) throw invalid('unexpected EOF'); // Go's json decoder, as dockerd answers it
  if (body.length === 0) {
    if (optional) return undefined;
    throw invalid('bad parameter: request body is empty');
  }
  return parseJson<T>(body, 'request body');
}

/** Docker's boolean query values: 1/true/True/… are true; 0/false/no/"" are false. */
export function boolParam(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name);
  if (value === null) return fallback;
  const lower = value.toLowerCase();
  if (['', '0', 'false', 'no', 'off'].includes(lower)) return false;
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  throw invalid(`invalid value for ${name}: ${JSON.stringify(value)}`);
}

export function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?\d+$/.test(value)) throw invalid(`invalid value for ${name}: ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * The `filters` query parameter: JSON mapping names to either a list of
 * values (old clients) or an object whose keys are the values (current ones).
 */
export function filtersParam(query: URLSearchParams): Filters {
  const raw = query.get('filters');
  const filters: Filters = new Map();
  if (raw === null || raw === '') return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filter: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid(`invalid filter: ${raw}`);
  for (const [name, value] of Object.entries(parsed)) {
    if (Array.isArray(value)) filters.set(name, value.map(String));
    else if (typeof value === 'object' && value !== null) filters.set(name, Object.keys(value).filter((k) => (value as Record<string, unknown>)[k]));
    else throw invalid(`invalid filter: ${raw}`);
  }
  return filters;
}

/** Docker's version comparison for API versions ("1.9" < "1.10"). */
export function versionLess(a: string, b: string): boolean {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am < bm || (am === bm && an < bn);
}

import type { IncomingMessage } from 'node:http';
import { invalid } from '../lib/errors.js';
import { readCapped, parseJson } from '../lib/compression.js';
import { parsePlatform } from '../lib/platform.js';
import { bodyCutShort } from './bad-request.js';
import type { Filters } from '../engine/images/types.js';
import { GoSyntaxError, scanGoJson } from './gojson-scan.js';
import { decodeGo, go, GoTypeError, type GoType } from './gojson.js';

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
  try {
    return parseJson<T>(body, 'request body');
  } catch (err) {
    throw goSyntaxErrorOf(body) ?? err;
  }
}

/** dockerd's words for a body that is not JSON (Go's decoder: "invalid character 'b' looking for …"), if Go would refuse it too. */
function goSyntaxErrorOf(body: Buffer): Error | undefined {
  try {
    scanGoJson(body.toString());
  } catch (err) {
    if (err instanceof GoSyntaxError) return invalid(err.message);
  }
  return undefined;
}

/**
 * What dockerd answers for an empty body: routes that decode with
 * json.NewDecoder say Go's "EOF"; those that check the body first say this.
 */
export const EMPTY_BODY = 'got EOF while reading request body';

/**
 * The JSON body decoded as dockerd decodes it into `type`: the first JSON
 * value (trailing bytes ignored), wrong-typed fields refused with Go's
 * messages, `null` read as an empty object. Every error is a 400, raised
 * before the route looks anything up. `empty` is the message for an empty
 * body, or undefined when an empty body is allowed (the result is then
 * undefined). `checkType` refuses a body that is not labelled JSON, as
 * dockerd's CheckForJSON does on the routes that call it.
 */
export async function decodeBody<T>(req: ApiRequest, type: GoType, empty: string | undefined = EMPTY_BODY, { checkType = true } = {}): Promise<T | undefined> {
  if (checkType) checkForJson(req);
  const body = await readCapped(req.raw, JSON_BODY_LIMIT, 'request body');
  if (body.length === 0) {
    if (empty === undefined) return undefined;
    throw invalid(empty);
  }
  try {
    return decodeGo(scanGoJson(body.toString()), type) as T;
  } catch (err) {
    if (err instanceof GoSyntaxError || err instanceof GoTypeError) throw invalid(err.message === 'EOF' && empty ? empty : err.message);
    throw err;
  }
}

/** dockerd's CheckForJSON: no Content-Type is fine only without a body; otherwise it must be application/json. */
function checkForJson(req: ApiRequest): void {
  const type = req.raw.headers['content-type'] ?? '';
  if (type === '' && (req.raw.headers['content-length'] === '0' || (req.raw.headers['content-length'] === undefined && req.raw.headers['transfer-encoding'] === undefined))) return;
  if (type.split(';')[0]!.trim().toLowerCase() === 'application/json') return;
  throw invalid(`Content-Type specified (${type}) must be 'application/json'`);
}

/**
 * A boolean query value as dockerd's httputils.BoolValue reads it: "", 0, no, false and none (any
 * case, spaces trimmed) are false, anything else is true; absent is `fallback` (BoolValueOrDefault).
 */
export function boolParam(query: URLSearchParams, name: string, fallback = false): boolean {
  const value = query.get(name);
  if (value === null) return fallback;
  return !['', '0', 'no', 'false', 'none'].includes(value.trim().toLowerCase());
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * An integer query value as dockerd reads it with strconv.Atoi (an int64),
 * refused with Go's words when it is not one or does not fit. Large values
 * stay large (stop?t=3000000 is a long wait, not an overflow).
 */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const atoi = (why: string) => invalid(`strconv.Atoi: parsing ${JSON.stringify(value)}: ${why}`);
  if (!/^[+-]?\d+$/.test(value)) throw atoi('invalid syntax');
  const n = BigInt(value);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw atoi('value out of range');
  return Number(n);
}

/**
 * The `filters` query parameter: JSON mapping names to either a list of
 * values (old clients) or an object whose keys are the values (current ones).
 */
/**
 * The `platform` parameter of create, pull and build, checked as dockerd
 * checks it (containerd's parser) before anything is looked up or streamed;
 * given on as written, or undefined when absent or when the API version is
 * older than the one that brought it (dockerd ignores it then: 1.41 for
 * create, 1.32 for pull and build).
 */
export function platformParam(req: ApiRequest, since: '1.32' | '1.41'): string | undefined {
  const value = req.query.get('platform') || undefined;
  if (value === undefined || versionLess(req.version, since)) return undefined;
  parsePlatform(value);
  return value;
}

/** filters as dockerd's filters.Args decodes them: {"name": {"value": true}}, or the legacy {"name": ["value"]}. */
const FILTERS_TYPE = go.map(go.map(go.bool));
const LEGACY_FILTERS_TYPE = go.map(go.array(go.string));

/**
 * The `filters` parameter, as moby's filters.FromJSON reads it: malformed
 * JSON fails with encoding/json's words, and a value of neither shape with the
 * error of the first (current) shape. `prefix` is what some routes put before
 * it (volumes: "error reading volume filters: ").
 */
export function filtersParam(query: URLSearchParams, prefix = ''): Filters {
  const raw = query.get('filters');
  const filters: Filters = new Map();
  if (raw === null || raw === '') return filters;
  let fields: Record<string, Record<string, boolean> | string[]>;
  try {
    const parsed = scanGoJson(raw);
    try {
      fields = decodeGo(parsed, FILTERS_TYPE) as typeof fields;
    } catch (err) {
      if (!(err instanceof GoTypeError)) throw err;
      try {
        fields = decodeGo(parsed, LEGACY_FILTERS_TYPE) as typeof fields;
      } catch {
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof GoSyntaxError || err instanceof GoTypeError) throw invalid(`${prefix}${err.message}`);
    throw err;
  }
  for (const [name, value] of Object.entries(fields)) {
    filters.set(name, Array.isArray(value) ? value : Object.keys(value).filter((k) => value[k]));
  }
  return filters;
}

/**
 * moby's version comparison (api/types/versions): dot-separated numbers
 * compared one by one, a missing or unparsable part counting as 0, so
 * "1.9" < "1.10" and "1.41.0" equals "1.41".
 */
export function versionLess(a: string, b: string): boolean {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const [x, y] = [goAtoi(as[i]), goAtoi(bs[i])];
    if (x !== y) return x < y;
  }
  return false;
}

/** strconv.Atoi with the error ignored: an empty or non-numeric part is 0. */
function goAtoi(part: string | undefined): number {
  return part !== undefined && /^[+-]?\d+$/.test(part) ? Number(part) : 0;
}

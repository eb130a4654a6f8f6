/**
 * The Engine API client core: API version negotiation (as the docker CLI
 * does it: GET /_ping, then min(server API-Version, our maximum)), versioned
 * paths, query strings, JSON in and out, and streaming bodies both ways.
 * Endpoint groups (images.ts, system.ts) are thin functions over this.
 */
import type { Readable } from 'node:stream';
import { ClientError, errorFromResponse, MAX_JSON_BODY, readBody } from './http.js';
import { Transport, type Hijacked, type RawResponse, type TlsOptions } from './transport.js';

/** The newest Engine API version berth speaks. */
export const MAX_API_VERSION = '1.45';
/** What docker assumes when /_ping carries no API-Version header. */
const FALLBACK_API_VERSION = '1.24';

export interface ClientOptions {
  host: string;
  tls?: TlsOptions;
  /** Pin the API version (skips negotiation), like DOCKER_API_VERSION. */
  apiVersion?: string;
  userAgent?: string;
}

export type QueryValue = string | number | boolean | undefined | readonly string[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  /** Serialised as JSON with Content-Type application/json. */
  json?: unknown;
  /** Streamed as the request body (load/import). */
  stream?: Readable;
  headers?: Record<string, string>;
  /** An answer that stays open (events, followed logs, wait): on a connection of its own, outside the pool. */
  longLived?: boolean;
}

export interface PingResult {
  apiVersion: string;
  osType: string;
  experimental: boolean;
  builderVersion: string;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Encodes a query the way Go's url.Values does (sorted keys, repeated keys for lists). */
export function encodeQuery(query: Query): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Escapes an image or container reference for a URL path, keeping `/`, `:` and `@` readable. */
export function pathSegment(name: string): string {
  return encodeURIComponent(name).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

export class ApiClient {
  private readonly transport: Transport;
  private negotiated: Promise<string> | undefined;
  private pinged: PingResult | undefined;

  constructor(private readonly options: ClientOptions) {
    this.transport = new Transport({ host: options.host, tls: options.tls });
    if (options.apiVersion) this.negotiated = Promise.resolve(options.apiVersion);
  }

  get host(): string {
    return this.options.host;
  }

  /** GET /_ping (unversioned). */
  async ping(): Promise<PingResult> {
    const res = await this.transport.request({ method: 'GET', path: '/_ping', headers: this.baseHeaders() });
    if (res.statusCode >= 400) throw await errorFromResponse(res);
    await readBody(res.body, MAX_JSON_BODY);
    const header = (name: string) => {
      const value = res.headers[name];
      return Array.isArray(value) ? value[0] : (value ?? '');
    };
    this.pinged = {
      apiVersion: header('api-version'),
      osType: header('ostype'),
      experimental: header('docker-experimental') === 'true',
      builderVersion: header('builder-version'),
    };
    return this.pinged;
  }

  /** The API version used in request paths, negotiated once per client. */
  apiVersion(): Promise<string> {
    this.negotiated ??= this.ping().then((p) => {
      const server = p.apiVersion || FALLBACK_API_VERSION;
      return compareVersions(server, MAX_API_VERSION) < 0 ? server : MAX_API_VERSION;
    });
    return this.negotiated;
  }

  /** Sends a versioned request; resolves with the response for any 2xx, throws ClientError otherwise. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse> {
    const version = await this.apiVersion();
    const headers: Record<string, string> = { ...this.baseHeaders(), ...options.headers };
    let body: Buffer | Readable | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers['Content-Type'] = 'application/json';
    } else if (options.stream) {
      body = options.stream;
      headers['Content-Type'] ??= 'application/x-tar';
    }
    const res = await this.transport.request({ method, path: `/v${version}${path}${encodeQuery(options.query ?? {})}`, headers, body, ownConnection: options.longLived });
    if (res.statusCode < 200 || res.statusCode >= 300) throw await errorFromResponse(res);
    return res;
  }

  /** A request whose 2xx answer is JSON of type T (bounded in size). */
  async requestJson<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const { text } = await this.requestText(method, path, options);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A request whose answer is kept verbatim too (inspect prints the daemon's JSON as is). */
  async requestText(method: string, path: string, options: RequestOptions = {}): Promise<{ text: string; response: RawResponse }> {
    const response = await this.request(method, path, options);
    const text = (await readBody(response.body, MAX_JSON_BODY)).toString('utf8');
    return { text, response };
  }

  /**
   * A versioned request that takes over the connection (attach, exec start).
   * A non-101, non-2xx answer is thrown as the daemon's error.
   */
  async hijack(method: string, path: string, options: { query?: Query; json?: unknown } = {}): Promise<Hijacked> {
    const version = await this.apiVersion();
    const headers: Record<string, string> = { ...this.baseHeaders() };
    let body: Buffer | undefined;
    if (options.json !== undefined) {
      body = Buffer.from(JSON.stringify(options.json));
      headers['Content-Type'] = 'application/json';
    }
    const conn = await this.transport.hijack({ method, path: `/v${version}${path}${encodeQuery(options.query ?? {})}`, headers, body });
    const status = conn.response?.statusCode;
    if (status !== undefined && (status < 200 || status >= 300)) throw await errorFromResponse(conn.response!);
    return conn;
  }

  close(): void {
    this.transport.close();
  }

  private baseHeaders(): Record<string, string> {
    return { 'User-Agent': this.options.userAgent ?? 'berth-client' };
  }
}

export { ClientError };

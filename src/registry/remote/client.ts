/**
 * A small client for another registry's /v2/ API, for the pull-through cache
 * and replication (the engine's distribution client is off limits to the
 * registry: they share only lib). It answers the auth challenges the spec
 * defines itself: Basic with the configured credentials, or Bearer with a
 * token fetched from the challenge's realm (with those credentials, or
 * anonymously), one token per scope, fetched again when it stops working.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import type { Digest } from '../../lib/digest.js';
import { sha256 } from '../../lib/digest.js';
import { registryError } from '../errors.js';
import { MANIFEST_MEDIA_TYPES } from '../media-types.js';
import { parseChallenge } from './challenge.js';

export interface RemoteOptions {
  /** The registry's base URL: http(s)://host[:port]. */
  url: string;
  username?: string;
  password?: string;
  /** Accept any TLS certificate (a registry with a self-signed one). */
  insecure?: boolean;
}

export interface RemoteManifest {
  digest: Digest;
  mediaType: string;
  bytes: Buffer;
}

/** An answer that is not what the call expected: the status and the registry's first error, for messages. */
export class RemoteError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

interface Call {
  method: string;
  path: string;
  /** The token scope this call needs (repository:<name>:pull,push). */
  scope: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | (() => Readable);
}

const ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');
const TIMEOUT_MS = 30_000;

export class RemoteRegistry {
  readonly base: URL;
  private readonly tokens = new Map<string, string>();
  /** The last challenge seen: sent pre-emptively so most calls need one round trip. */
  private challenge?: ReturnType<typeof parseChallenge>;

  constructor(private readonly options: RemoteOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw registryError('UNSUPPORTED', `remote registry URL must be http(s): ${options.url}`);
  }

  /** The manifest a tag or digest names; undefined when the registry does not know it. */
  async manifest(repository: string, reference: string): Promise<RemoteManifest | undefined> {
    const res = await this.call({ method: 'GET', path: manifestPath(repository, reference), scope: pullScope(repository), headers: { Accept: ACCEPT } });
    if (res.statusCode === 404) return drained(res, undefined);
    await expect(res, 200, `manifest ${repository}:${reference}`);
    const bytes = await readAll(res);
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) throw new RemoteError(502, `manifest ${repository}@${reference}: the registry sent content with digest ${digest}`);
    return { digest, mediaType: String(res.headers['content-type'] ?? '').split(';')[0]!.trim(), bytes };
  }

  /** The digest a tag points at (HEAD), or undefined when unknown. */
  async manifestDigest(repository: string, reference: string): Promise<Digest | undefined> {
    const res = await this.call({ method: 'HEAD', path: manifestPath(repository, reference), scope: pullScope(repository), headers: { Accept: ACCEPT } });
    if (res.statusCode === 404) return drained(res, undefined);
    await expect(res, 200, `manifest ${repository}:${reference}`);
    res.resume();
    const digest = res.headers['docker-content-digest'];
    return typeof digest === 'string' && digest.startsWith('sha256:') ? (digest as Digest) : undefined;
  }

  /** A blob's bytes as a stream (the caller verifies them), with the size the registry announced. */
  async blob(repository: string, digest: Digest): Promise<{ stream: IncomingMessage; size: number } | undefined> {
    const res = await this.call({ method: 'GET', path: `/v2/${repository}/blobs/${digest}`, scope: pullScope(repository) });
    if (res.statusCode === 404) return drained(res, undefined);
    await expect(res, 200, `blob ${digest}`);
    return { stream: res, size: Number(res.headers['content-length'] ?? -1) };
  }

  /** The blob's size when the repository has it. */
  async blobSize(repository: string, digest: Digest): Promise<number | undefined> {
    const res = await this.call({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, scope: pullScope(repository) });
    res.resume();
    if (res.statusCode === 404) return undefined;
    await expect(res, 200, `blob ${digest}`);
    return Number(res.headers['content-length'] ?? 0);
  }

  /**
   * Uploads a blob: a cross-repository mount from `mountFrom` when given and
   * the registry takes it, else one monolithic PUT. Returns 'mounted' or 'uploaded'.
   */
  async pushBlob(repository: string, digest: Digest, size: number, body: () => Readable, mountFrom?: string): Promise<'mounted' | 'uploaded'> {
    const scope = mountFrom ? `${pushScope(repository)} ${pullScope(mountFrom)}` : pushScope(repository);
    const query = mountFrom ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}` : '';
    const start = await this.call({ method: 'POST', path: `/v2/${repository}/blobs/uploads/${query}`, scope, headers: { 'Content-Length': 0 } });
    start.resume();
    if (start.statusCode === 201) return 'mounted';
    await expect(start, 202, `upload to ${repository}`);
    const location = new URL(String(start.headers.location ?? ''), this.base);
    location.searchParams.set('digest', digest);
    const put = await this.call({
      method: 'PUT',
      path: `${location.pathname}${location.search}`,
      scope,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': size },
      body,
    });
    await expect(put, 201, `upload of ${digest} to ${repository}`);
    put.resume();
    return 'uploaded';
  }

  async putManifest(repository: string, reference: string, manifest: { mediaType: string; bytes: Buffer }): Promise<void> {
    const res = await this.call({
      method: 'PUT',
      path: manifestPath(repository, reference),
      scope: pushScope(repository),
      headers: { 'Content-Type': manifest.mediaType, 'Content-Length': manifest.bytes.length },
      body: manifest.bytes,
    });
    await expect(res, 201, `manifest ${repository}:${reference}`);
    res.resume();
  }

  /** One call, answering a 401 challenge once (a fresh token, or Basic credentials). */
  private async call(call: Call): Promise<IncomingMessage> {
    const first = await this.send(call, await this.authorization(call.scope, false));
    if (first.statusCode !== 401) return first;
    first.resume();
    const header = first.headers['www-authenticate'];
    this.challenge = parseChallenge(Array.isArray(header) ? header[0] : header);
    if (!this.challenge) throw new RemoteError(401, `${this.base.host}: unauthorized, and no challenge to answer`);
    return this.send(call, await this.authorization(call.scope, true));
  }

  private async authorization(scope: string, fresh: boolean): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') return this.basic();
    if (!fresh && this.tokens.has(scope)) return `Bearer ${this.tokens.get(scope)}`;
    const token = await this.fetchToken(c.params, scope);
    this.tokens.set(scope, token);
    return `Bearer ${token}`;
  }

  private basic(): string | undefined {
    const { username, password } = this.options;
    return username === undefined ? undefined : `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }

  /** The token spec's GET realm?service=&scope=, with Basic credentials when we have them. */
  private async fetchToken(params: Record<string, string>, scope: string): Promise<string> {
    if (!params.realm) throw new RemoteError(401, `${this.base.host}: bearer challenge without a realm`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const s of scope.split(' ')) url.searchParams.append('scope', s);
    const basic = this.basic();
    const res = await this.raw(url, { method: 'GET', headers: basic ? { Authorization: basic } : {} });
    await expect(res, 200, `token from ${url.host}`);
    const doc = JSON.parse((await readAll(res)).toString('utf8')) as { token?: string; access_token?: string };
    const token = doc.token ?? doc.access_token;
    if (!token) throw new RemoteError(502, `${url.host}: token response without a token`);
    return token;
  }

  private send(call: Call, authorization: string | undefined): Promise<IncomingMessage> {
    const headers = { ...call.headers, ...(authorization ? { Authorization: authorization } : {}) };
    return this.raw(new URL(call.path, this.base), { method: call.method, headers }, call.body);
  }

  private raw(url: URL, init: { method: string; headers: OutgoingHttpHeaders }, body?: Buffer | (() => Readable)): Promise<IncomingMessage> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...init, rejectUnauthorized: !this.options.insecure, timeout: TIMEOUT_MS }, resolve);
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new RemoteError(504, `${url.host}: no answer within ${TIMEOUT_MS / 1000} s`)));
      if (typeof body === 'function') {
        const stream = body();
        stream.on('error', (err) => req.destroy(err));
        stream.pipe(req);
      } else {
        req.end(body);
      }
    });
  }
}

export const pullScope = (repository: string) => `repository:${repository}:pull`;
const pushScope = (repository: string) => `repository:${repository}:pull,push`;

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${encodeURIComponent(reference)}`;
}

async function expect(res: IncomingMessage, status: number, what: string): Promise<void> {
  if (res.statusCode === status) return;
  const text = (await readAll(res).catch(() => Buffer.alloc(0))).toString('utf8');
  let message = text.slice(0, 200);
  try {
    const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0];
    if (first) message = `${first.code ?? ''}: ${first.message ?? ''}`;
  } catch {
    // not JSON: the text as it is
  }
  throw new RemoteError(res.statusCode ?? 0, `${what}: ${res.statusCode} ${message}`.trim());
}

function drained<T>(res: IncomingMessage, value: T): T {
  res.resume();
  return value;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

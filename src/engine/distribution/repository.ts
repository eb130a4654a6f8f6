import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { sha256, type Digest } from '../../lib/digest.js';
import { EngineError, invalid } from '../../lib/errors.js';
import { repositoryScope, type AuthSession, type CredentialPolicy } from './auth.js';
import type { Endpoint } from './endpoints.js';
import { registryError } from './errors.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES } from './manifest.js';
import { discard, readBody, send } from './transport.js';

interface RequestOptions {
  headers?: OutgoingHttpHeaders;
  /** A Buffer can be sent again after a 401; a stream only once (the session is primed by ping first). */
  body?: Buffer | Readable;
  /** Follow redirects (blob downloads go to storage elsewhere). */
  follow?: boolean;
  /** Absolute URL (an upload location) instead of a path under /v2/<name>/. */
  url?: URL;
  /** Scopes needed besides this repository's own (a mount reads the source repository). */
  extraScopes?: string[];
}

const MAX_REDIRECTS = 10;

/**
 * The Distribution API of one repository at one endpoint. Every request is
 * authorised by the session for this repository's scopes; a 401 with a new
 * challenge is answered once. Credentials go only to the endpoint's own
 * origin: a redirect elsewhere (blob storage) is followed without them.
 */
export class Repository {
  private pinged = false;

  constructor(
    readonly endpoint: Endpoint,
    /** The repository's path in the registry: "library/busybox". */
    readonly path: string,
    private readonly session: AuthSession,
    private readonly scopes: string[],
    readonly mayCarryCredentials: CredentialPolicy,
  ) {}

  /** GET /v2/: learns the registry's challenge (and whether it answers at all) before real requests. */
  async ping(): Promise<void> {
    if (this.pinged) return;
    const url = new URL('/v2/', this.endpoint.url);
    const res = await send({ method: 'GET', url, tls: this.endpoint.tls });
    discard(res);
    if (res.statusCode === 401) {
      if (!this.session.learn(res.headers['www-authenticate'])) throw new EngineError('notImplemented', `${url.href}: the registry asks for an authentication scheme berth does not support`);
    } else if (res.statusCode !== 200) {
      throw new EngineError('unavailable', `${url.href}: the registry answered ${res.statusCode}, not the Distribution API v2`);
    }
    this.pinged = true;
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    await this.ping();
    let url = options.url ?? new URL(`/v2/${this.path}/${path}`, this.endpoint.url);
    let res = await this.sendAuthorised(method, url, options);
    if (res.statusCode === 401 && (options.body === undefined || Buffer.isBuffer(options.body))) {
      // The registry may want more (a token for another scope): learn its new challenge and try once more.
      if (this.session.learn(res.headers['www-authenticate'])) {
        discard(res);
        res = await this.sendAuthorised(method, url, options);
      }
    }
    for (let hops = 0; options.follow && isRedirect(res.statusCode) && hops < MAX_REDIRECTS; hops++) {
      discard(res);
      url = new URL(String(res.headers.location), url);
      res = await this.sendAuthorised(method, url, { ...options, body: undefined });
    }
    return res;
  }

  private async sendAuthorised(method: string, url: URL, options: RequestOptions): Promise<IncomingMessage> {
    const sameOrigin = url.origin === this.endpoint.url.origin;
    const auth = sameOrigin ? await this.session.headers([...this.scopes, ...(options.extraScopes ?? [])]) : {};
    return send({ method, url, headers: { ...options.headers, ...auth }, body: options.body, tls: sameOrigin ? this.endpoint.tls : { verify: true } });
  }

  /** A manifest or index by tag or digest, capped and checked against its digest. */
  async manifest(reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: Digest }> {
    const res = await this.request('GET', `manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT.join(', ') } });
    if (res.statusCode !== 200) throw await registryError(res);
    const bytes = await readBody(res, MAX_MANIFEST_BYTES, 'manifest');
    const digest = sha256(bytes);
    const claimed = res.headers['docker-content-digest'];
    if (reference.startsWith('sha256:') && digest !== reference) throw invalid(`manifest verification failed for digest ${reference}`);
    if (typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) throw invalid(`manifest verification failed for digest ${claimed}`);
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, digest };
  }

  /** A blob's body (following redirects); the caller verifies it. */
  async blob(digest: Digest): Promise<IncomingMessage> {
    const res = await this.request('GET', `blobs/${digest}`, { follow: true });
    if (res.statusCode !== 200) throw await registryError(res);
    return res;
  }

  /** A small blob (a config) read whole and verified. */
  async smallBlob(digest: Digest, limit: number): Promise<Buffer> {
    const bytes = await readBody(await this.blob(digest), limit, `blob ${digest}`);
    if (sha256(bytes) !== digest) throw invalid(`blob verification failed for digest ${digest}`);
    return bytes;
  }

  async hasBlob(digest: Digest): Promise<boolean> {
    const res = await this.request('HEAD', `blobs/${digest}`, { follow: true });
    discard(res);
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw await registryError(res);
  }

  /**
   * Asks the registry to link a blob it holds in another repository; if it
   * cannot, the answer is an ordinary upload session to use instead.
   */
  async mount(digest: Digest, fromPath: string): Promise<{ mounted: true } | { mounted: false; upload: URL }> {
    const res = await this.request('POST', `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromPath)}`, {
      body: Buffer.alloc(0),
      extraScopes: [repositoryScope(fromPath, 'pull')],
    });
    if (![201, 202, 401, 403].includes(res.statusCode ?? 0)) throw await registryError(res);
    discard(res);
    if (res.statusCode === 201) return { mounted: true };
    if (res.statusCode === 202) return { mounted: false, upload: this.location(res) };
    // Not allowed to read the source repository: upload the blob instead, as dockerd does.
    return { mounted: false, upload: await this.startUpload() };
  }

  async startUpload(): Promise<URL> {
    const res = await this.request('POST', 'blobs/uploads/', { body: Buffer.alloc(0) });
    if (res.statusCode !== 202) throw await registryError(res);
    discard(res);
    return this.location(res);
  }

  /** Streams a blob into an upload session (one PATCH), then commits it under the digest known at the end. */
  async upload(session: URL, data: Readable, digestAtEnd: () => Digest): Promise<void> {
    const patch = await this.request('PATCH', '', { url: session, body: data, headers: { 'Content-Type': 'application/octet-stream' } });
    if (patch.statusCode !== 202 && patch.statusCode !== 204) throw await registryError(patch);
    discard(patch);
    await this.commitUpload(this.location(patch), digestAtEnd(), Buffer.alloc(0));
  }

  /** A small blob in one request pair (POST, then PUT with the body). */
  async uploadBytes(bytes: Buffer, digest: Digest): Promise<void> {
    await this.commitUpload(await this.startUpload(), digest, bytes);
  }

  private async commitUpload(session: URL, digest: Digest, body: Buffer): Promise<void> {
    const url = new URL(session);
    url.searchParams.set('digest', digest);
    const res = await this.request('PUT', '', { url, body, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length } });
    if (res.statusCode !== 201) throw await registryError(res);
    discard(res);
  }

  async putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    const res = await this.request('PUT', `manifests/${tag}`, { body: bytes, headers: { 'Content-Type': mediaType, 'Content-Length': bytes.length } });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await registryError(res);
    discard(res);
    return sha256(bytes);
  }

  /** Every tag, following the Link header's pagination. */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    let url: URL | undefined = new URL(`/v2/${this.path}/tags/list`, this.endpoint.url);
    for (let page = 0; url && page < 1000; page++) {
      const res: IncomingMessage = await this.request('GET', '', { url });
      if (res.statusCode !== 200) throw await registryError(res);
      const body = JSON.parse((await readBody(res, 4 << 20, 'tag list')).toString()) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const next = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''))?.[1];
      url = next ? new URL(next, this.endpoint.url) : undefined;
    }
    return out;
  }

  private location(res: IncomingMessage): URL {
    const location = res.headers.location;
    if (!location) throw invalid('the registry started an upload without a Location');
    return new URL(location, this.endpoint.url);
  }
}

function isRedirect(status: number | undefined): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

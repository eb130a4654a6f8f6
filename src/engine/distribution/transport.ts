import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { pipeline } from 'node:stream/promises';
import { readCapped } from '../../lib/compression.js';
import { EngineError } from '../../lib/errors.js';

/** How to speak TLS to one registry host. */
export interface TlsSettings {
  /** PEM CA certificates to trust in addition to the system's. */
  ca?: Buffer[];
  /** A client certificate and key (certs.d's *.cert / *.key). */
  cert?: Buffer;
  key?: Buffer;
  /** False for insecure registries: HTTPS without verification. */
  verify: boolean;
}

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | Readable;
  tls?: TlsSettings;
}

/** Idle connections are kept per host and TLS setting: a pull makes dozens of requests to one host. */
const agents = new Map<string, HttpAgent>();

function agentFor(url: URL, tls: TlsSettings | undefined): HttpAgent {
  const key = `${url.protocol}//${url.host}|${tls?.verify ?? true}|${tls?.ca?.length ?? 0}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = url.protocol === 'https:'
      ? new HttpsAgent({ keepAlive: true, maxSockets: 16, ca: withSystemCas(tls?.ca), cert: tls?.cert, key: tls?.key, rejectUnauthorized: tls?.verify ?? true })
      : new HttpAgent({ keepAlive: true, maxSockets: 16 });
    agents.set(key, agent);
  }
  return agent;
}

/** Node's `ca` option replaces the system roots; a registry's own CA must add to them. */
function withSystemCas(extra: Buffer[] | undefined): (string | Buffer)[] | undefined {
  if (!extra || extra.length === 0) return undefined;
  return [...rootCertificates, ...extra];
}

/** Closes kept-alive connections (tests, daemon shutdown). */
export function closeIdleConnections(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

/** Time allowed to connect and to receive response headers; bodies are streamed without a total limit. */
const RESPONSE_TIMEOUT_MS = 60_000;

/**
 * One HTTP(S) request; resolves with the response (its body unread) whatever
 * its status. Network and TLS failures become EngineErrors with Go's wording,
 * marked as network failures, which the callers use to decide on a fallback.
 * Their kind is `internal`: dockerd answers such a pull with a plain 500.
 */
export function send(req: HttpRequest): Promise<IncomingMessage> {
  const requestFn = req.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = requestFn(req.url, { method: req.method, headers: req.headers, agent: agentFor(req.url, req.tls) }, (res) => {
      outgoing.setTimeout(0);
      resolve(res);
    });
    outgoing.setTimeout(RESPONSE_TIMEOUT_MS, () => outgoing.destroy(new Error('timeout awaiting response headers')));
    outgoing.on('error', (err) => reject(networkError(req, err)));
    if (req.body === undefined) outgoing.end();
    else if (Buffer.isBuffer(req.body)) outgoing.end(req.body);
    else pipeline(req.body, outgoing).catch((err: Error) => outgoing.destroy(err));
  });
}

/** Go's `Get "https://…/v2/": dial tcp …: connect: connection refused`, roughly. */
export function networkError(req: { method: string; url: URL }, err: Error): Error {
  const method = req.method[0] + req.method.slice(1).toLowerCase();
  const wrapped = new EngineError('internal', `${method} "${req.url.href}": ${describeNetworkError(err)}`, { cause: err });
  (wrapped as NetworkError).network = true;
  return wrapped;
}

export type NetworkError = Error & { network?: boolean };

/** A response body that broke off (reset, timeout): a network failure too, so the download is retried. */
export function brokenDownload(digest: string, err: Error): Error {
  const wrapped = new EngineError('internal', `error pulling blob ${digest}: ${err.message}`, { cause: err });
  (wrapped as NetworkError).network = true;
  return wrapped;
}

export function isNetworkError(err: unknown): boolean {
  return (err as NetworkError | undefined)?.network === true;
}

function describeNetworkError(err: Error & { code?: string; address?: string; port?: number }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${err.address ?? ''}:${err.port ?? ''}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${(err as { hostname?: string }).hostname ?? ''}: no such host`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'http: server gave HTTP response to HTTPS client';
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `tls: failed to verify certificate: x509: ${err.message}`;
    default:
      return err.message;
  }
}

/** Reads a (small) response body, capped: manifests, tokens, error bodies, search results. */
export async function readBody(res: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  return readCapped(res, limit, what);
}

/** Throws away a response body so its connection can be reused. */
export function discard(res: IncomingMessage): void {
  res.resume();
}

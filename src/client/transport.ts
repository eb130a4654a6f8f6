/**
 * The byte-level transport of the Engine API client: one HTTP/1.1 request
 * over a unix socket (`unix:///path`) or TCP (`tcp://host:port`,
 * `http://host:port`), with TLS when asked (`--tls`, `--tlsverify`, or an
 * `https://` host): the docker CLI's rules, TLS 1.2 at least.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { EngineError, errnoCode } from '../lib/errors.js';
import { defaultCaWithExtra } from '../lib/extra-ca-certs.js';

/** Client TLS settings (`--tls`, `--tlsverify`, cert paths). Without verify the server's certificate is not checked, as docker's --tls. */
export interface TlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  verify?: boolean;
}

export interface TransportOptions {
  /** `unix:///run/berth/berth.sock`, `tcp://127.0.0.1:2375`, `http://host:port`. */
  host: string;
  tls?: TlsOptions;
  /** Idle socket timeout; 0 or absent means none (streams may be slow). */
  timeoutMs?: number;
}

export type Endpoint = { kind: 'unix'; socketPath: string } | { kind: 'tcp'; hostname: string; port: number };

export interface RawRequest {
  method: string;
  /** Path plus query string, already versioned (`/v1.45/images/json?all=1`). */
  path: string;
  headers?: Record<string, string>;
  /** A buffer is sent with Content-Length; a stream is sent chunked. */
  body?: Buffer | Readable;
  /**
   * Not through the pool (at most 4 connections): a request whose answer
   * stays open would hold a pooled connection for as long, and a fifth
   * request would wait behind four of them.
   */
  ownConnection?: boolean;
}

export interface RawResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

/** node:https, and the TLS stack under it, loads only for a TLS daemon: a unix socket never pays for it. */
const loadHttps = (): typeof https => createRequire(import.meta.url)('node:https') as typeof https;

const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_PORT = 2376;

/** Raised when the daemon cannot be reached at all (as opposed to an HTTP error). */
export class ConnectionError extends EngineError {
  readonly host: string;
  readonly code: string | undefined;

  constructor(host: string, cause: unknown) {
    const code = errnoCode(cause);
    const detail = cause instanceof Error ? tlsReason(cause.message) : String(cause);
    super('unavailable', `cannot connect to ${host}: ${detail}`, { cause });
    this.name = 'ConnectionError';
    this.host = host;
    this.code = code;
  }
}

/** OpenSSL's "…:SSL routines:ssl3_read_bytes:tlsv13 alert certificate required:…" → "remote error: tls: certificate required". */
function tlsReason(message: string): string {
  const alert = /SSL routines:[^:]*:(?:tlsv1\d? |sslv3 )?alert ([^:]+):/.exec(message);
  return alert ? `remote error: tls: ${alert[1]}` : message;
}

export function parseHost(host: string, tls = false): Endpoint {
  // As docker: an address without a scheme (`host:port`, `:port`) is TCP.
  const match = /^([a-z]+):\/\/(.*)$/.exec(host) ?? (/^[^/]*:\d*$/.test(host) ? [host, 'tcp', host] : null);
  if (!match) throw new EngineError('invalid', `invalid host "${host}": expected unix:///path, tcp://host:port or http://host:port`);
  const [, scheme, rest] = match;
  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw new EngineError('invalid', `invalid host "${host}": unix socket path must be absolute`);
    return { kind: 'unix', socketPath: rest };
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https') {
    const url = new URL(`http://${rest === '' || rest.startsWith(':') ? `127.0.0.1${rest}` : rest}`);
    if (url.pathname !== '/' && url.pathname !== '') throw new EngineError('invalid', `invalid host "${host}": a path prefix is not supported`);
    const port = url.port ? Number(url.port) : tls || scheme === 'https' ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT;
    return { kind: 'tcp', hostname: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port };
  }
  throw new EngineError('invalid', `invalid host "${host}": unsupported protocol scheme "${scheme}"`);
}

/** The PEM files of TlsOptions, read once; docker's messages when one cannot be read. */
function tlsMaterial(tls: TlsOptions): https.AgentOptions {
  const read = (what: string, path: string | undefined) => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new EngineError('invalid', `could not read ${what} "${path}": ${(err as Error).message}`);
    }
  };
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) throw new EngineError('invalid', 'cert and key must both be given for a client certificate');
  return {
    // Without a CA file the default roots, with NODE_EXTRA_CA_CERTS if bin/berth deferred it (lib/extra-ca-certs).
    ca: read('CA certificate', tls.caFile) ?? (tls.verify ? defaultCaWithExtra() : undefined),
    cert: read('client certificate', tls.certFile),
    key: read('client key', tls.keyFile),
    rejectUnauthorized: Boolean(tls.verify),
    minVersion: 'TLSv1.2',
  };
}

export class Transport {
  private readonly endpoint: Endpoint;
  private readonly agent: http.Agent;
  /** TLS settings for requests (and for hijacked connections, which do not use the agent); undefined for plain HTTP. */
  private readonly tls: https.AgentOptions | undefined;
  private readonly https: typeof https | undefined;
  /** Requests on a connection of their own, still open: close() ends them as agent.destroy() ends the pooled ones. */
  private readonly ownRequests = new Set<http.ClientRequest>();

  constructor(private readonly options: TransportOptions) {
    const useTls = options.tls !== undefined || options.host.startsWith('https://');
    this.endpoint = parseHost(options.host, useTls);
    if (useTls && this.endpoint.kind === 'unix') throw new EngineError('invalid', `TLS is for tcp:// hosts, not ${options.host}`);
    this.tls = useTls ? tlsMaterial(options.tls ?? { verify: true }) : undefined;
    this.https = this.tls ? loadHttps() : undefined;
    this.agent = this.https ? new this.https.Agent({ keepAlive: true, maxSockets: 4, ...this.tls }) : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  /** http.request or https.request, whichever the endpoint speaks. */
  private send(options: https.RequestOptions, onResponse?: (res: http.IncomingMessage) => void): http.ClientRequest {
    return this.https ? this.https.request({ ...this.tls, ...options }, onResponse) : http.request(options, onResponse);
  }

  get host(): string {
    return this.options.host;
  }

  /**
   * Where requests go. On a unix socket, an empty TLS server name: otherwise
   * Node's agent tests the host name against its IPv6 pattern, whose first use
   * compiles a large regular expression (milliseconds of every CLI command).
   */
  private target(): https.RequestOptions {
    return this.endpoint.kind === 'unix'
      ? { socketPath: this.endpoint.socketPath, host: 'api.moby.localhost', servername: '' }
      : { hostname: this.endpoint.hostname, port: this.endpoint.port };
  }

  request(req: RawRequest): Promise<RawResponse> {
    const target = this.target();
    const headers: Record<string, string> = { ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const outgoing = this.send({ ...target, method: req.method, path: req.path, headers, agent: req.ownConnection ? false : this.agent }, (res) =>
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      if (req.ownConnection) {
        this.ownRequests.add(outgoing);
        outgoing.once('close', () => this.ownRequests.delete(outgoing));
      }
      if (this.options.timeoutMs) outgoing.setTimeout(this.options.timeoutMs, () => outgoing.destroy(new Error('request timed out')));
      outgoing.on('error', (err) => reject(isConnectError(err) ? new ConnectionError(this.options.host, err) : err));
      if (req.body === undefined) outgoing.end();
      else if (Buffer.isBuffer(req.body)) outgoing.end(req.body);
      else {
        req.body.on('error', (err) => outgoing.destroy(err));
        req.body.pipe(outgoing);
      }
    });
  }

  /**
   * Sends a request asking to take over the connection (`Connection: Upgrade`,
   * `Upgrade: tcp`), as the docker CLI does for attach and exec start. On
   * `101 Switching Protocols` the socket becomes a raw bidirectional stream.
   * A daemon that answers 200 instead streams the output as the body and
   * cannot take input; any other status is the daemon's error response.
   */
  hijack(req: RawRequest): Promise<Hijacked> {
    const target = this.target();
    const headers: Record<string, string> = { ...req.headers, Connection: 'Upgrade', Upgrade: 'tcp' };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    headers['Content-Length'] = String(body.length);
    return new Promise((resolve, reject) => {
      // Its own socket (agent: false): an upgraded connection never returns to a pool.
      const outgoing = this.send({ ...target, method: req.method, path: req.path, headers, agent: false });
      outgoing.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve({ output: socket, input: socket, socket });
      });
      outgoing.on('response', (res) => resolve({ output: res, input: undefined, socket: res.socket, response: { statusCode: res.statusCode ?? 0, headers: res.headers, body: res } }));
      outgoing.on('error', (err) => reject(isConnectError(err) ? new ConnectionError(this.options.host, err) : err));
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
    for (const outgoing of this.ownRequests) outgoing.destroy();
  }
}

/** A hijacked connection: read output from `output`, write stdin to `input` (absent when not upgraded). */
export interface Hijacked {
  output: Readable;
  input: Socket | undefined;
  socket: Socket;
  /** Set when the daemon answered with a normal HTTP response instead of 101. */
  response?: RawResponse;
}

function isConnectError(err: unknown): boolean {
  const code = errnoCode(err) ?? (err as { code?: string })?.code ?? '';
  // ECONNRESET/EPIPE/ERR_SSL_*: a TLS daemon refusing the handshake (no or a wrong client certificate).
  return ['ECONNREFUSED', 'ENOENT', 'EACCES', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE'].includes(code)
    || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
}

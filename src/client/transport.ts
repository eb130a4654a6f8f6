/**
 * The byte-level transport of the Engine API client: one HTTP/1.1 request
 * over a unix socket (`unix:///path`) or TCP (`tcp://host:port`,
 * `http://host:port`). TLS is a later issue; TransportOptions.tls is the seam
 * for it, and asking for it now fails with a clear error instead of silently
 * talking plain HTTP.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { EngineError, errnoCode } from '../lib/errors.js';

/** Placeholder for client TLS settings (`--tls`, `--tlsverify`, cert paths). */
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
}

export interface RawResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

const DEFAULT_TCP_PORT = 2375;

/** Raised when the daemon cannot be reached at all (as opposed to an HTTP error). */
export class ConnectionError extends EngineError {
  readonly host: string;
  readonly code: string | undefined;

  constructor(host: string, cause: unknown) {
    const code = errnoCode(cause);
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('unavailable', `cannot connect to ${host}: ${detail}`, { cause });
    this.name = 'ConnectionError';
    this.host = host;
    this.code = code;
  }
}

export function parseHost(host: string): Endpoint {
  const match = /^([a-z]+):\/\/(.*)$/.exec(host);
  if (!match) throw new EngineError('invalid', `invalid host "${host}": expected unix:///path, tcp://host:port or http://host:port`);
  const [, scheme, rest] = match;
  if (scheme === 'unix') {
    if (!rest.startsWith('/')) throw new EngineError('invalid', `invalid host "${host}": unix socket path must be absolute`);
    return { kind: 'unix', socketPath: rest };
  }
  if (scheme === 'tcp' || scheme === 'http') {
    const url = new URL(`http://${rest}`);
    return { kind: 'tcp', hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : DEFAULT_TCP_PORT };
  }
  if (scheme === 'https') throw new EngineError('notImplemented', `TLS is not supported yet (host "${host}")`);
  throw new EngineError('invalid', `invalid host "${host}": unsupported protocol scheme "${scheme}"`);
}

export class Transport {
  private readonly endpoint: Endpoint;
  private readonly agent: http.Agent;

  constructor(private readonly options: TransportOptions) {
    if (options.tls) throw new EngineError('notImplemented', 'TLS is not supported yet');
    this.endpoint = parseHost(options.host);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  get host(): string {
    return this.options.host;
  }

  request(req: RawRequest): Promise<RawResponse> {
    const target =
      this.endpoint.kind === 'unix'
        ? { socketPath: this.endpoint.socketPath, host: 'api.moby.localhost' }
        : { hostname: this.endpoint.hostname, port: this.endpoint.port };
    const headers: Record<string, string> = { ...req.headers };
    if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length);
    return new Promise((resolve, reject) => {
      const outgoing = http.request({ ...target, method: req.method, path: req.path, headers, agent: this.agent }, (res) =>
        resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
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
    const target =
      this.endpoint.kind === 'unix' ? { socketPath: this.endpoint.socketPath, host: 'api.moby.localhost' } : { hostname: this.endpoint.hostname, port: this.endpoint.port };
    const headers: Record<string, string> = { ...req.headers, Connection: 'Upgrade', Upgrade: 'tcp' };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    headers['Content-Length'] = String(body.length);
    return new Promise((resolve, reject) => {
      // Its own socket (agent: false): an upgraded connection never returns to a pool.
      const outgoing = http.request({ ...target, method: req.method, path: req.path, headers, agent: false });
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
  return ['ECONNREFUSED', 'ENOENT', 'EACCES', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT'].includes(errnoCode(err) ?? '');
}

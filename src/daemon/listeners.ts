import { chown, chmod, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { ApiHandlers } from '../api/server.js';
import { MAX_HEADER_BYTES, watchFirstLine } from '../api/bad-request.js';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { errnoCode, invalid } from '../lib/errors.js';

export interface Listener {
  address: string;
  server: Server;
  close(): Promise<void>;
}

/** systemd hands sockets over from fd 3 on (sd_listen_fds). */
const SD_LISTEN_FDS_START = 3;

/**
 * The sockets systemd passed (LISTEN_FDS, for this process by LISTEN_PID), as
 * fd://N hosts: `fd://` means all of them, `fd://N` one that must be among
 * them, as dockerd's -H fd:// does.
 */
export function expandSocketActivation(hosts: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (!hosts.some((h) => h.startsWith('fd://'))) return hosts;
  const count = env.LISTEN_PID === String(process.pid) ? Number(env.LISTEN_FDS ?? 0) : 0;
  const passed = Array.from({ length: count }, (_, i) => SD_LISTEN_FDS_START + i);
  if (passed.length === 0) throw invalid('no sockets found via socket activation: make sure the service was started by systemd');
  return hosts.flatMap((host) => {
    if (host === 'fd://') return passed.map((fd) => `fd://${fd}`);
    if (host.startsWith('fd://') && !passed.includes(Number(host.slice('fd://'.length)))) throw invalid(`too few socket activated files passed in by systemd: ${host} is not among them`);
    return [host];
  });
}

/** dockerd's conventions: 2375 for plain HTTP, 2376 for TLS. */
const PLAIN_PORT = 2375;
const TLS_PORT = 2376;

/**
 * Parses -H values as dockerd does: unix:///path, tcp://host:port, host:port,
 * :port, host: — a missing host is localhost, a missing port 2375 (2376 with TLS).
 */
export function parseHost(host: string, tls = false): { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number } | { kind: 'fd'; fd: number } {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw invalid(`invalid unix socket path: ${host}`);
    return { kind: 'unix', path };
  }
  if (host.startsWith('fd://')) {
    const fd = Number(host.slice('fd://'.length));
    if (!Number.isInteger(fd) || fd < SD_LISTEN_FDS_START) throw invalid(`invalid socket-activation host ${host}: use fd:// or fd://<n> (n ≥ 3)`);
    return { kind: 'fd', fd };
  }
  const tcp = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/[\]]*)(?::(\d*))?$/.exec(host);
  if (tcp && (host.startsWith('tcp://') || tcp[2] !== undefined)) {
    const port = tcp[2] ? Number(tcp[2]) : tls ? TLS_PORT : PLAIN_PORT;
    if (port < 1 || port > 65535) throw invalid(`invalid port in ${host}`);
    return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, '') || '127.0.0.1', port };
  }
  throw invalid(`invalid host address ${JSON.stringify(host)}: use unix:///path or tcp://host:port`);
}

export async function listen(
  host: string,
  handlers: ApiHandlers,
  options: { group?: string; tls?: ServerTls; onTlsError?: (message: string) => void },
): Promise<Listener> {
  const spec = parseHost(host, options.tls !== undefined);
  // Go's header limit (1 MB), so that requests dockerd takes (a 200 KB path) are taken here too.
  // Node's missing-Host check answers without Go's text: the API's own check (goRefusal) answers instead.
  // No idle timeout on kept-alive connections, as dockerd has none: a server that closes an idle
  // connection races the client's next request on it (EPIPE/ECONNRESET in pooling clients such as
  // docker-py, dockerode and Node's own keep-alive agent). The client decides when to close.
  const httpOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 0, maxHeaderSize: MAX_HEADER_BYTES, requireHostHeader: false };
  // TLS applies to tcp:// (and socket-activated) listeners: a unix socket is guarded by its file mode, as in dockerd.
  const server = spec.kind !== 'unix' && options.tls
    ? createTlsServer({ ...httpOptions, ...tlsServerOptions(options.tls) }, handlers.request)
    : createServer(httpOptions, handlers.request);
  server.on('upgrade', handlers.upgrade);
  // Hijacked sockets (attach, exec) leave the HTTP server's books but still hold it open: track them all.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', handlers.clientError);
  // Plain HTTP only: a TLS server's 'connection' carries encrypted bytes.
  if (!(spec.kind !== 'unix' && options.tls)) server.prependListener('connection', (socket) => watchFirstLine(socket, handlers.clientError));
  // A failed handshake (no client certificate, another CA, expired) just ends that connection.
  server.on('tlsClientError', (err, socket) => {
    options.onTlsError?.(`TLS handshake from ${socket.remoteAddress ?? 'a client'} refused: ${err.message}`);
    socket.destroy();
  });
  if (spec.kind === 'unix') {
    await mkdir(dirname(spec.path), { recursive: true });
    await unlink(spec.path).catch((err) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(spec.path, resolve));
    await chmod(spec.path, 0o660);
    if (options.group) await chown(spec.path, 0, groupId(options.group));
    return { address: host, server, close: () => closeServer(server, sockets).then(() => unlink(spec.path).catch(() => undefined)) };
  }
  // With TLS a plain front socket takes the connections, so that plain HTTP gets Go's answer instead of a silent hang-up.
  const front: Server | NetServer = options.tls ? createNetServer((socket) => dispatchTls(socket, server)) : server;
  if (front !== server) {
    front.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
  }
  const where = spec.kind === 'fd' ? { fd: spec.fd } : { port: spec.port, host: spec.host };
  await new Promise<void>((resolve, reject) => front.once('error', reject).listen(where, resolve));
  return {
    address: host,
    server,
    // Both servers stop accepting first; their close callbacks come once every connection is gone, which the destroy makes sure of.
    close: () => Promise.all([front !== server ? closed(front) : undefined, closeServer(server, sockets)]).then(() => undefined),
  };
}

function closed(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

const TLS_HANDSHAKE = 0x16;
/** How long a plain-HTTP client that got its 400 may keep the connection before berthd closes it. */
const PLAIN_ANSWER_LINGER_MS = 10_000;

/**
 * Hands a connection to the TLS server, unless its first byte shows plain
 * HTTP: then it gets the 400 that Go's TLS server sends ("Client sent an
 * HTTP request to an HTTPS server."), which the docker CLI shows as is.
 */
function dispatchTls(socket: Socket, tlsServer: Server): void {
  socket.on('error', () => socket.destroy());
  socket.once('readable', () => {
    const first: Buffer | null = socket.read(1);
    if (first === null) return void socket.destroy();
    socket.unshift(first);
    if (first[0] === TLS_HANDSHAKE) return void tlsServer.emit('connection', socket);
    socket.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
    // Read on: the rest of the request is dropped, and the client's close is seen, so the socket is let go.
    // Without it the connection stays open on berthd's side for good (and a shutdown waits on it).
    socket.resume();
    setTimeout(() => socket.destroy(), PLAIN_ANSWER_LINGER_MS).unref();
  });
}

/** Server-side TLS material: PEM contents, and whether client certificates are required (--tlsverify). */
export interface ServerTls {
  cert: Buffer;
  key: Buffer;
  /** With verify: the CA that must have signed every client's certificate. */
  ca?: Buffer;
  verify: boolean;
}

function tlsServerOptions(tls: ServerTls): SecureContextOptions & { requestCert: boolean; rejectUnauthorized: boolean } {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    minVersion: 'TLSv1.2',
    requestCert: tls.verify,
    rejectUnauthorized: tls.verify,
  };
}

function closeServer(server: Server, sockets: Set<import('node:net').Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  } catch {
    throw invalid(`group ${group} not found`);
  }
}

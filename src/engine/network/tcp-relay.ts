import { createConnection, type Socket } from 'node:net';
import { spliceRelay } from '../../platform/linux/sys.js';

/**
 * One proxied TCP connection: the accepted client socket joined to a new
 * connection to the container, both ways, with half-close passed on (a client
 * that shuts down its sending side still gets the answer, as with
 * docker-proxy). The client must come paused (pauseOnConnect) and the
 * listener must allow half-open sockets.
 *
 * Once the container answers, both sockets go to the native addon's splice(2)
 * relay (see spliceRelay): bytes move socket → pipe → socket in the kernel on
 * a thread of its own, which is what docker-proxy does, and the JS sockets
 * are destroyed (the addon holds duplicates of their fds). Where that cannot
 * be set up (no addon, fds or threads exhausted), the relay below runs in JS.
 */
export interface RelayOptions {
  /** false: always the JS relay (tests of the fallback). */
  splice?: boolean;
}

let spliceUsable = true;
let splicing = 0;

/** Connections the splice relay is carrying now (tests wait for this to come back to 0). */
export function activeSpliceRelays(): number {
  return splicing;
}

export function relayTcp(client: Socket, target: { host: string; port: number }, options: RelayOptions = {}): void {
  const upstream = connectUpstream(client, target);
  // Until the relay takes over: the client is not read yet, so only the container's side can fail.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  upstream.once('connect', () => {
    if (options.splice !== false && handOver(client, upstream)) return;
    joinInJs(client, upstream);
  });
}

/**
 * Gives both sockets to the splice relay. Called in the 'connect' event,
 * before net reads anything from the upstream, and the client is still
 * paused: no data sits in either JS socket, so destroying them loses nothing.
 */
function handOver(client: Socket, upstream: Socket): boolean {
  const clientFd = fdOf(client);
  const upstreamFd = fdOf(upstream);
  if (!spliceUsable || clientFd === undefined || upstreamFd === undefined) return false;
  try {
    spliceRelay(clientFd, upstreamFd, () => splicing--);
  } catch (err) {
    // No addon at all: the JS relay from now on. A system error (EMFILE, EAGAIN) is this connection's alone.
    if ((err as NodeJS.ErrnoException).code === undefined) spliceUsable = false;
    return false;
  }
  splicing++;
  client.destroy();
  upstream.destroy();
  return true;
}

function fdOf(socket: Socket): number | undefined {
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/*
 * The JS relay. The container → client direction carries the bulk of the
 * traffic (a download through a published port), so it avoids the stream
 * machinery: the socket reads straight into a buffer of our own (`onread`),
 * which is written to the client as is and used again for the next read once
 * the kernel has taken the write. No buffer is allocated or copied per chunk,
 * and reads grow to 1 MiB on a busy connection. While a write waits for the
 * client, reading stops: the buffer is still the write's, and the client's
 * pace is the container's pace (backpressure).
 */
const FIRST_READ = 64 * 1024;
const BULK_READ = 1024 * 1024;

function connectUpstream(client: Socket, target: { host: string; port: number }): Socket {
  let next: Buffer | undefined;
  const upstream: Socket = createConnection({
    host: target.host,
    port: target.port,
    allowHalfOpen: true,
    onread: {
      // Allocated on the first read: with the splice relay, net never reads.
      buffer: () => (next ??= Buffer.allocUnsafe(FIRST_READ)),
      callback: (length, buffer) => {
        // A read that filled the buffer means more is waiting: read more at a time (the old buffer may still be the write's).
        if (length === buffer.length && buffer.length < BULK_READ) next = Buffer.allocUnsafe(BULK_READ);
        client.write(buffer.subarray(0, length), () => {
          if (upstream.isPaused()) upstream.resume();
        });
        if (client.writableLength === 0) return true;
        upstream.pause();
        return false;
      },
    },
  });
  return upstream;
}

function joinInJs(client: Socket, upstream: Socket): void {
  upstream.resume();
  client.pipe(upstream);
  upstream.on('end', () => client.end());
  // A side that closed cleanly lets the other finish writing what it has; a reset tears both down.
  client.on('close', (hadError) => (hadError ? upstream.destroy() : upstream.end()));
  upstream.on('close', (hadError) => (hadError ? client.destroy() : client.end()));
}

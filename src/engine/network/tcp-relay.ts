import { createConnection, type Socket } from 'node:net';

/**
 * One proxied TCP connection: the accepted client socket joined to a new
 * connection to the container, both ways, with half-close passed on (a client
 * that shuts down its sending side still gets the answer, as with
 * docker-proxy).
 *
 * The container → client direction carries the bulk of the traffic (a
 * download through a published port), so it avoids the stream machinery:
 * the socket reads straight into a buffer of our own (`onread`), which is
 * written to the client as is and used again for the next read once the
 * kernel has taken the write. No buffer is allocated or copied per chunk, and
 * reads grow to 1 MiB on a busy connection, so a transfer costs berthd about
 * the CPU time docker-proxy's splice(2) costs it. While a write waits for the
 * client, reading stops: the buffer is still the write's, and the client's
 * pace is the container's pace (backpressure).
 */

const FIRST_READ = 64 * 1024;
const BULK_READ = 1024 * 1024;

export function relayTcp(client: Socket, target: { host: string; port: number }): void {
  let next = Buffer.allocUnsafe(FIRST_READ);
  const upstream: Socket = createConnection({
    host: target.host,
    port: target.port,
    allowHalfOpen: true,
    onread: {
      buffer: () => next,
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
  upstream.on('connect', () => {
    upstream.resume();
    client.resume();
  });
  client.pipe(upstream);
  upstream.on('end', () => client.end());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  // A side that closed cleanly lets the other finish writing what it has; a reset tears both down.
  client.on('close', (hadError) => (hadError ? upstream.destroy() : upstream.end()));
  upstream.on('close', (hadError) => (hadError ? client.destroy() : client.end()));
}

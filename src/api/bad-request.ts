/**
 * Answers for requests that are not HTTP enough to reach a route, written as
 * Go's net/http server writes them (dockerd's HTTP server): a status line,
 * `Content-Type: text/plain; charset=utf-8`, `Connection: close`, and the
 * status as the body. Node's server hands these to 'clientError' with no
 * request or response object, so they are written to the socket directly.
 */
import type { Duplex } from 'node:stream';
import { isPeerGone, type DebugLog } from '../lib/streams.js';

/** Go's http.DefaultMaxHeaderBytes (1 MB) plus the 4096 bytes of slack its server reads before refusing. */
export const MAX_HEADER_BYTES = (1 << 20) + 4096;

/** Go waits this long after half-closing a refused connection, so the client reads the answer instead of a reset. */
const LINGER_MS = 500;

interface ClientError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

const answered = new WeakSet<Duplex>();

/** The status line and body text Go's server gives for this parse error, or undefined when it says nothing. */
export function goAnswerFor(err: ClientError): { status: string; text: string } | undefined {
  if (isPeerGone(err)) return undefined;
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return plain('431 Request Header Fields Too Large');
    case 'HPE_INVALID_VERSION':
      return unsupportedVersion(err.rawPacket) ? { status: '505 HTTP Version Not Supported', text: '505 HTTP Version Not Supported: unsupported protocol version' } : plain('400 Bad Request');
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return plain('400 Bad Request');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return plain('408 Request Timeout');
    default:
      return plain('400 Bad Request');
  }
}

function plain(status: string): { status: string; text: string } {
  return { status, text: status };
}

/** A well-formed version other than 1.x (HTTP/2.0 without the preface, HTTP/3.0): Go parses it and refuses with 505. */
function unsupportedVersion(raw: Buffer | undefined): boolean {
  const firstLine = raw?.toString('latin1').split(/\r?\n/, 1)[0] ?? '';
  const version = / HTTP\/(\d+)\.(\d+)$/.exec(firstLine);
  return version !== null && version[1] !== '1';
}

/**
 * The 'clientError' handler: writes Go's answer unless part of a response has
 * already gone out on this connection (a second status line would corrupt
 * it) or the peer is gone, then closes as Go does: half-close, keep reading
 * and discarding for a moment so the client gets the answer and not a reset.
 */
export function answerClientError(err: ClientError, socket: Duplex, debug?: DebugLog): void {
  debug?.(`client connection: ${err.code ?? ''} ${err.message}`);
  if (answered.has(socket)) return;
  answered.add(socket);
  socket.on('error', () => socket.destroy());
  const inFlight = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } })._httpMessage;
  const answer = goAnswerFor(err);
  if (!answer || !socket.writable || inFlight?._headerSent) return void socket.destroy();
  socket.end(`HTTP/1.1 ${answer.status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${answer.text}`);
  socket.resume();
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/**
 * Go reads the request line as the first line: an empty one (a client that
 * opens with CRLF) is a 400 at once. Node's parser skips leading empty lines
 * and waits for a request that never comes (until headersTimeout, a minute),
 * so the first line of each connection is watched here. For that the socket's
 * bytes must pass through JavaScript: Node's server otherwise feeds its
 * parser from the handle directly, past any 'data' listener.
 */
export function watchFirstLine(socket: Duplex & { _handle?: { _consumed?: boolean } }, onEmpty: (err: ClientError, socket: Duplex) => void): void {
  if (!socket._handle) return;
  socket._handle._consumed = true;
  let seen = '';
  const onData = (chunk: Buffer) => {
    seen += chunk.toString('latin1', 0, Math.min(chunk.length, 2));
    if (seen.startsWith('\n') || seen.startsWith('\r\n')) {
      socket.off('data', onData);
      const err: ClientError = Object.assign(new Error('malformed HTTP request: empty request line'), { code: 'HPE_EMPTY_REQUEST_LINE' });
      onEmpty(err, socket);
    } else if (seen.length >= 2 || !seen.startsWith('\r')) {
      socket.off('data', onData);
    }
  };
  socket.on('data', onData);
}

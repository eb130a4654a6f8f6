/**
 * Answers for requests that are not HTTP enough to reach a route, written as
 * Go's net/http server writes them (dockerd's HTTP server): a status line,
 * `Content-Type: text/plain; charset=utf-8`, `Connection: close`, and the
 * status line's text as the body (Go's detailed errors, as "505 HTTP Version
 * Not Supported: unsupported protocol version", carry the detail in both). Node's server hands these to 'clientError' with no
 * request or response object, so they are written to the socket directly.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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

/** The status (line and body) Go's server gives for this parse error, or undefined when it says nothing. */
export function goAnswerFor(err: ClientError): string | undefined {
  if (isPeerGone(err)) return undefined;
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return '431 Request Header Fields Too Large';
    case 'HPE_INVALID_VERSION':
      return unsupportedVersion(err.rawPacket) ? '505 HTTP Version Not Supported: unsupported protocol version' : '400 Bad Request';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return '408 Request Timeout';
    default:
      return '400 Bad Request';
  }
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
  const inFlight = (socket as Duplex & { _httpMessage?: InFlight })._httpMessage;
  if (err.code === 'HPE_INVALID_EOF_STATE' && inFlight?.req && !inFlight._headerSent) return endBodyShort(inFlight);
  const answer = goAnswerFor(err);
  if (!answer || !socket.writable || inFlight?._headerSent) return void socket.destroy();
  socket.end(`HTTP/1.1 ${answer}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${answer}`);
  socket.resume();
  socket.once('end', () => socket.destroy());
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

/**
 * What Go's server refuses that Node's parser takes: a request in HTTP/2.0
 * (without the h2 preface) is a 505, and one in HTTP/1.1 without a Host
 * header a 400 (Node's own check answers with no text, so it is off).
 */
export function goRefusal(req: IncomingMessage): string | undefined {
  if (req.httpVersionMajor !== 1) return '505 HTTP Version Not Supported: unsupported protocol version';
  if (req.httpVersionMinor >= 1 && req.headers.host === undefined) return '400 Bad Request: missing required Host header';
  return undefined;
}

/** Writes a refusal from goRefusal as Go does: the status line's text as a plain-text body, then close. */
export function sendRefusal(res: ServerResponse, refusal: string): void {
  const [, code, reason] = /^(\d{3}) (.*)$/.exec(refusal)!;
  res.sendDate = false;
  res.shouldKeepAlive = false;
  res.writeHead(Number(code), reason, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(refusal);
}

/** The response of the request a connection is answering (Node's private `socket._httpMessage`). */
interface InFlight {
  _headerSent?: boolean;
  shouldKeepAlive: boolean;
  /** Close the connection after this response: Node sets it when it composes the head, which may already have happened. */
  _last: boolean;
  req?: IncomingMessage;
}

const cutShort = new WeakSet<IncomingMessage>();

/**
 * A body shorter than its Content-Length, then a half-close: Go's handler
 * reads an "unexpected EOF" and answers. Here the body ends where the bytes
 * did, the route reading it sees it was cut (bodyCutShort) and answers, and
 * the connection closes after that answer.
 */
function endBodyShort(inFlight: InFlight): void {
  const req = inFlight.req!;
  cutShort.add(req);
  inFlight.shouldKeepAlive = false;
  // A route that wrote its head before the body ran out (load, import: a 200 with progress) had it say keep-alive:
  // the connection still closes after the answer, as no next request can follow a half-close.
  inFlight._last = true;
  // Marked complete, or Node would take the ended body for an abort and destroy the socket before the answer.
  req.complete = true;
  req.push(null);
}

/** Was this request's body cut short by the client (see endBodyShort)? */
export function bodyCutShort(req: IncomingMessage): boolean {
  return cutShort.has(req);
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

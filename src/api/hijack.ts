import type { ServerResponse } from 'node:http';
import { PassThrough, type Duplex, type Readable, type Writable } from 'node:stream';
import type { ApiRequest } from './request.js';

export interface RawConnection {
  /** What the client sends (stdin). */
  input: Readable;
  /** What goes to the client (stdout/stderr, framed or raw). */
  output: Writable;
  close(): void;
}

/**
 * Takes over the connection for attach and exec start, as Docker does: with
 * `Upgrade: tcp` the answer is 101 and the socket becomes a raw two-way stream;
 * without it, a 200 with Docker's raw-stream content type, streaming both ways
 * over the same request.
 */
export function hijack(req: ApiRequest, res: ServerResponse, contentType = 'application/vnd.docker.raw-stream'): RawConnection {
  if (req.upgrade) {
    const socket: Duplex = req.upgrade.socket;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.45\r\n\r\n`);
    if (req.upgrade.head.length > 0) socket.unshift(req.upgrade.head);
    (socket as import('node:net').Socket).setTimeout?.(0);
    return { input: socket, output: socket, close: () => socket.end() };
  }
  // As dockerd: the stream follows the head as it is (no chunked framing), and ends with the connection.
  res.useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  res.writeHead(200, { 'Content-Type': contentType });
  res.flushHeaders();
  // Without an upgrade the request's body was the request, not stdin: it is dropped, and the end of the
  // request says nothing; the stream lives until it is done or the client goes away (the response closes).
  req.raw.resume();
  return { input: new PassThrough(), output: res, close: () => res.end() };
}

/** Docker's stdio multiplexing for non-tty streams: [stream, 0, 0, 0, size (big-endian u32)] then the bytes. */
export function frame(stream: 0 | 1 | 2, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Parses --detach-keys ("ctrl-p,ctrl-q", "ctrl-a,x") into the bytes to watch for. */
export function parseDetachKeys(spec: string | null | undefined): Buffer {
  const text = spec || 'ctrl-p,ctrl-q';
  const bytes = text.split(',').map((key) => {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const ch = ctrl[1]!.toLowerCase();
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (ch in special) return special[ch]!;
      if (ch >= 'a' && ch <= 'z') return ch.charCodeAt(0) - 96;
    }
    if (key.length === 1) return key.charCodeAt(0);
    throw new Error(`Invalid detach keys (${text}) provided`);
  });
  return Buffer.from(bytes);
}

/**
 * Copies client input to the process, watching for the detach sequence. On a
 * full match `onDetach` runs and nothing of the sequence is forwarded; a
 * partial match that breaks off is forwarded as typed.
 */
export function pipeWithDetach(input: Readable, target: Writable, keys: Buffer, onDetach: () => void): void {
  let matched = 0;
  // A process that reads its stdin slower than the client sends holds the client back, not berthd's memory.
  const send = (bytes: Buffer | number[]) => {
    if (bytes.length === 0 || target.write(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes))) return;
    input.pause();
    target.once('drain', () => input.resume());
  };
  input.on('data', (chunk: Buffer) => {
    if (keys.length === 0) return send(chunk);
    const out: number[] = [];
    for (const byte of chunk) {
      if (keys.length > 0 && byte === keys[matched]) {
        matched++;
        if (matched === keys.length) {
          send(out);
          onDetach();
          return;
        }
        continue;
      }
      if (matched > 0) out.push(...keys.subarray(0, matched));
      // The byte that broke a partial match may begin a new one (ctrl-p ctrl-p ctrl-q detaches).
      matched = byte === keys[0] ? 1 : 0;
      if (matched === 0) out.push(byte);
    }
    send(out);
  });
  input.on('end', () => target.end());
  input.on('error', () => target.end());
  // The request's body was read off this stream first, which left it paused.
  input.resume();
}

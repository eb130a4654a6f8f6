import type { Duplex } from 'node:stream';
import { invalid } from '../lib/errors.js';
import { JSON_BODY_LIMIT, type ApiRequest } from './request.js';

/**
 * The body of an `Upgrade: tcp` request. Node hands over such a request after
 * its headers: whatever the client sent with it (the exec start options as
 * JSON, dockerode's attach options, or just the chunked terminator) comes in
 * `head` and on the socket. It is the request's body, never the process's
 * stdin, so it is read here by the request's own framing (Content-Length or
 * chunked) and only the bytes after it are left for the stream.
 */
export async function readUpgradeBody(req: ApiRequest): Promise<Buffer> {
  const upgrade = req.upgrade;
  if (!upgrade) throw new Error('readUpgradeBody: not an upgrade request');
  const headers = req.raw.headers;
  const chunked = /\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''));
  const length = chunked ? null : contentLength(headers['content-length']);
  if (!chunked && length === 0) return Buffer.alloc(0);
  const { body, rest } = await readFramed(upgrade.socket, upgrade.head, (buf) => (chunked ? dechunk(buf) : fixed(buf, length!)));
  upgrade.head = rest;
  return body;
}

interface Framed {
  body: Buffer;
  /** Bytes of `buf` the body took up (what follows belongs to the stream). */
  used: number;
}

function contentLength(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value.trim())) throw invalid(`bad Content-Length ${JSON.stringify(value)}`);
  const n = Number(value.trim());
  if (n > JSON_BODY_LIMIT) throw invalid(`request body is larger than ${JSON_BODY_LIMIT} bytes`);
  return n;
}

function fixed(buf: Buffer, length: number): Framed | null {
  return buf.length >= length ? { body: buf.subarray(0, length), used: length } : null;
}

/** A complete chunked body at the start of `buf` (with its terminator and trailers), or null while one is still arriving. */
export function dechunk(buf: Buffer): Framed | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) throw invalid('malformed chunked request body');
    at = eol + 2;
    if (size === 0) {
      // Trailers, if any, end with an empty line.
      for (;;) {
        const end = buf.indexOf('\r\n', at);
        if (end < 0) return null;
        const empty = end === at;
        at = end + 2;
        if (empty) return { body: Buffer.concat(parts), used: at };
      }
    }
    if (buf.length < at + size + 2) return null;
    parts.push(buf.subarray(at, at + size));
    at += size + 2;
  }
}

/** Reads from `head` and then the socket until `frame` finds the whole body; the socket is left paused. */
function readFramed(socket: Duplex, head: Buffer, frame: (buf: Buffer) => Framed | null): Promise<{ body: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = head;
    const done = (fn: () => void) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      socket.pause();
      fn();
    };
    const check = (): boolean => {
      let framed: Framed | null;
      try {
        framed = frame(buf);
      } catch (err) {
        done(() => reject(err));
        return true;
      }
      if (framed) {
        const result = { body: Buffer.from(framed.body), rest: buf.subarray(framed.used) };
        done(() => resolve(result));
        return true;
      }
      if (buf.length > JSON_BODY_LIMIT + 64) {
        done(() => reject(invalid(`request body is larger than ${JSON_BODY_LIMIT} bytes`)));
        return true;
      }
      return false;
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      check();
    };
    const onEnd = () => done(() => reject(invalid('unexpected EOF in the request body')));
    const onError = (err: Error) => done(() => reject(err));
    if (check()) return;
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
    socket.resume();
  });
}

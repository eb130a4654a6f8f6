/**
 * Docker's stdcopy framing for non-tty attach, exec and logs streams: each
 * frame is an 8-byte header `[stream, 0, 0, 0, size(big-endian u32)]` then
 * `size` bytes. Stream 0 is stdin, 1 stdout, 2 stderr, 3 a daemon-side error
 * (moby's Systemerr), which ends the copy with that text as the error.
 */
import type { Readable, Writable } from 'node:stream';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

const HEADER = 8;
/** A frame larger than this is a corrupt stream, not output (moby's buffers top out far below). */
const MAX_FRAME = 64 * 1024 * 1024;

export type FrameHandler = (stream: number, payload: Buffer) => void;

/**
 * An incremental frame parser: feed it chunks as they arrive (frames may be
 * split anywhere, even inside a header); it calls onFrame per payload piece.
 * Large payloads are handed on as they arrive rather than buffered whole.
 */
export class Demuxer {
  private pending = Buffer.alloc(0);
  private stream = -1;
  private remaining = 0;

  constructor(private readonly onFrame: FrameHandler) {}

  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0) {
      if (this.remaining === 0) {
        if (data.length < HEADER) {
          this.pending = Buffer.from(data);
          return;
        }
        this.stream = data[0];
        this.remaining = data.readUInt32BE(4);
        if (this.stream > SYSTEMERR) throw new Error(`Unrecognized input header: ${this.stream}`);
        if (this.remaining > MAX_FRAME) throw new Error(`stdcopy: frame of ${this.remaining} bytes is too large`);
        data = data.subarray(HEADER);
        continue;
      }
      const take = Math.min(this.remaining, data.length);
      // A daemon error frame is reported whole, so it is buffered until complete.
      if (this.stream === SYSTEMERR && take < this.remaining) {
        this.pending = Buffer.concat([this.header(), data]);
        this.remaining = 0;
        return;
      }
      this.remaining -= take;
      this.onFrame(this.stream, data.subarray(0, take));
      data = data.subarray(take);
    }
  }

  /** True when the stream ended between frames (a cut inside a frame loses output). */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.pending.length === 0;
  }

  private header(): Buffer {
    const header = Buffer.alloc(HEADER);
    header[0] = this.stream;
    header.writeUInt32BE(this.remaining, 4);
    return header;
  }
}

/** Encodes one frame (tests, and anything that must speak the format). */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const header = Buffer.alloc(HEADER);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * Copies a multiplexed stream to stdout and stderr until it ends, as moby's
 * stdcopy.StdCopy does; rejects with the daemon's text on a stream-3 frame.
 */
export async function demultiplex(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  let daemonError: string | undefined;
  const demuxer = new Demuxer((stream, payload) => {
    if (stream === STDOUT || stream === STDIN) stdout.write(payload);
    else if (stream === STDERR) stderr.write(payload);
    else daemonError = payload.toString('utf8');
  });
  for await (const chunk of source) {
    demuxer.push(chunk as Buffer);
    if (daemonError !== undefined) {
      source.destroy();
      throw new Error(`error from daemon in stream: ${daemonError}`);
    }
  }
}

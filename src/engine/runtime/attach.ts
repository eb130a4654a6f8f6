import { closeSync, constants, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { EngineError } from '../../lib/errors.js';
import type { AttachStreams } from './types.js';

/**
 * conmon's attach socket: a SOCK_SEQPACKET unix socket (Node's `net` cannot
 * open one; node-unix-socket can). Each packet conmon sends starts with one
 * byte naming the stream — 2 stdout, 3 stderr (1 would be stdin) — followed by
 * up to 8 KiB of data. What we send is raw stdin bytes; shutting down our
 * write side closes the container's stdin unless conmon runs with
 * --leave-stdin-open. conmon closes the socket once the process has exited
 * and its output is drained.
 */

const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
/** conmon reads client packets into a buffer of this size; larger writes would be truncated. */
const MAX_PACKET = 8192;

interface SeqpacketSocketLike {
  on(event: 'data', cb: (buf: Buffer) => void): void;
  on(event: 'end' | 'close' | 'connect', cb: () => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  connect(path: string, cb?: () => void): void;
  write(buf: Buffer, offset?: number, length?: number, cb?: () => void): void;
  end(cb?: () => void): void;
  destroy(): void;
}

type SeqpacketCtor = new () => SeqpacketSocketLike;
let seqpacket: SeqpacketCtor | undefined;

/** Loaded on first use: the CLI and unrelated tests never need the native module. */
function SeqpacketSocket(): SeqpacketCtor {
  if (!seqpacket) {
    const require = createRequire(import.meta.url);
    seqpacket = (require('node-unix-socket') as { SeqpacketSocket: SeqpacketCtor }).SeqpacketSocket;
  }
  return seqpacket;
}

/**
 * Connects to the socket at `path`. Unix socket paths are limited to 108 bytes,
 * so we connect through /proc/self/fd/<fd of its directory>/attach, as podman does.
 */
export function connectAttach(path: string): Promise<AttachStreams> {
  return new Promise((resolve, reject) => {
    let dirFd: number;
    try {
      dirFd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
    } catch (err) {
      reject(new EngineError('conflict', `cannot attach: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const socket = new (SeqpacketSocket())();
    const closeDir = () => {
      if (dirFd >= 0) closeSync(dirFd);
      dirFd = -1;
    };
    socket.on('error', (err) => {
      closeDir();
      reject(new EngineError('conflict', `cannot attach to the container: ${err.message}`, { cause: err }));
    });
    try {
      socket.connect(`/proc/self/fd/${dirFd}/${basename(path)}`, () => {
        closeDir();
        resolve(streamsOf(socket));
      });
    } catch (err) {
      closeDir();
      reject(new EngineError('conflict', `cannot attach to the container: ${(err as Error).message}`, { cause: err }));
    }
  });
}

function streamsOf(socket: SeqpacketSocketLike): AttachStreams {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let closed = false;
  const endOutputs = () => {
    if (!stdout.writableEnded) stdout.end();
    if (!stderr.writableEnded) stderr.end();
  };
  socket.on('data', (packet) => {
    if (packet.length < 1) return;
    const data = packet.subarray(1);
    if (packet[0] === STDOUT_PIPE) stdout.write(data);
    else if (packet[0] === STDERR_PIPE) stderr.write(data);
  });
  socket.on('end', endOutputs);
  socket.on('close', () => {
    closed = true;
    endOutputs();
  });
  socket.on('error', () => {
    // The socket is destroyed after its error: writes to it would throw.
    closed = true;
    endOutputs();
  });
  const stdin = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (closed) return cb();
      try {
        for (let off = 0; off < chunk.length; off += MAX_PACKET) {
          const part = chunk.subarray(off, Math.min(chunk.length, off + MAX_PACKET));
          const last = off + MAX_PACKET >= chunk.length;
          socket.write(part, 0, part.length, last ? () => cb() : undefined);
        }
      } catch {
        // Destroyed under us (conmon went away): what was written is lost with the process, as on a closed pipe.
        closed = true;
        return cb();
      }
      if (chunk.length === 0) cb();
    },
    final(cb) {
      if (closed) return cb();
      socket.end(() => cb());
    },
  });
  return {
    stdin,
    stdout,
    stderr,
    close: () => {
      if (closed) return;
      closed = true;
      socket.destroy();
      endOutputs();
    },
  };
}

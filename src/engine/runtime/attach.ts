import { closeSync, constants, openSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Socket } from 'node:net';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { EngineError } from '../../lib/errors.js';
import { packetStream, socketOverFd } from '../../platform/linux/fd-stream.js';
import { dup, seqpacketConnect } from '../../platform/linux/sys.js';
import { sleep } from './monitor.js';
import type { AttachStreams } from './types.js';

/**
 * conmon's attach socket: a SOCK_SEQPACKET unix socket. Each packet conmon
 * sends starts with one byte naming the stream — 2 stdout, 3 stderr (1 would
 * be stdin) — followed by up to 8 KiB of data. What we send is raw stdin
 * bytes; shutting down our write side closes the container's stdin unless
 * conmon runs with --leave-stdin-open. conmon closes the socket once the
 * process has exited and its output is drained.
 *
 * The socket is read packet by packet (packetStream) and written through a
 * net.Socket on a second fd of it (socketOverFd). A reader that falls behind
 * pauses the packets: conmon then blocks writing to us, and the container
 * blocks writing to conmon, as a container blocks on a slow `docker attach`.
 */

const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;
/** conmon reads client packets into a buffer of this size; larger writes would be truncated. */
const MAX_PACKET = 8192;

/**
 * Connects to the socket at `path`. Unix socket paths are limited to 108 bytes,
 * so we connect through /proc/self/fd/<fd of its directory>/attach, as podman does.
 */
export async function connectAttach(path: string): Promise<AttachStreams> {
  const fd = await connectSeqpacket(path);
  let writer: Socket;
  try {
    writer = socketOverFd(dup(fd), { readable: false, writable: true });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return streamsOf(packetStream(fd), writer);
}

/** The connect failed because conmon's socket is gone (or no longer listening): the process has exited. */
export function processGone(err: unknown): boolean {
  const code = ((err as { cause?: { code?: string } }).cause ?? (err as { code?: string })).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

/** The streams of an attachment to a process that has exited: no output, stdin discarded. */
export function endedAttach(): AttachStreams {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.end();
  stderr.end();
  return { stdin: new Writable({ write: (_chunk, _encoding, done) => done() }), stdout, stderr, close: () => undefined };
}

async function connectSeqpacket(path: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    let dirFd = -1;
    try {
      dirFd = openSync(dirname(path), constants.O_RDONLY | constants.O_DIRECTORY);
      return seqpacketConnect(`/proc/self/fd/${dirFd}/${basename(path)}`);
    } catch (err) {
      // EAGAIN: conmon's backlog is full for a moment (many attachments at once); it accepts them promptly.
      if ((err as { code?: string }).code !== 'EAGAIN' || attempt >= 100) {
        throw new EngineError('conflict', `cannot attach to the container: ${(err as Error).message}`, { cause: err });
      }
    } finally {
      if (dirFd >= 0) closeSync(dirFd);
    }
    await sleep(10);
  }
}

function streamsOf(packets: Readable, socket: Socket): AttachStreams {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let closed = false;
  const endOutputs = () => {
    if (!stdout.writableEnded) stdout.end();
    if (!stderr.writableEnded) stderr.end();
  };
  const close = () => {
    closed = true;
    packets.destroy();
    socket.destroy();
    endOutputs();
  };
  const blocked = new Set<PassThrough>();
  packets.on('data', (packet: Buffer) => {
    const target = packet[0] === STDOUT_PIPE ? stdout : packet[0] === STDERR_PIPE ? stderr : null;
    if (!target || target.writableEnded || target.write(packet.subarray(1)) || blocked.has(target)) return;
    // The reader is behind: read no more until it has caught up.
    blocked.add(target);
    packets.pause();
    target.once('drain', () => {
      blocked.delete(target);
      if (blocked.size === 0 && !closed) packets.resume();
    });
  });
  // conmon closed the connection: the process is gone (or conmon is), nothing more will come either way.
  packets.on('end', close);
  packets.on('error', close);
  // Our writing side fails only with the connection (conmon gone); reading finds out by itself.
  socket.on('error', () => undefined);
  // A reader that went away without draining must not keep the socket paused with a 'drain' that never comes.
  for (const out of [stdout, stderr]) out.on('close', () => blocked.size > 0 && close());
  const stdin = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (closed) return cb();
      // One packet per write, each sent once the previous one is: the socket must never merge two into one writev.
      sendPackets(socket, chunk).then(() => cb(), () => {
        // Destroyed under us (conmon went away): what was written is lost with the process, as on a closed pipe.
        closed = true;
        cb();
      });
    },
    final(cb) {
      if (!closed) socket.end();
      cb();
    },
  });
  return { stdin, stdout, stderr, close };
}

async function sendPackets(socket: Socket, chunk: Buffer): Promise<void> {
  for (let off = 0; off < chunk.length; off += MAX_PACKET) {
    const part = chunk.subarray(off, Math.min(chunk.length, off + MAX_PACKET));
    await new Promise<void>((resolve, reject) => socket.write(part, (err) => (err ? reject(err) : resolve())));
  }
}

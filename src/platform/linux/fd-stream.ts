import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { packetReader } from './sys.js';

/**
 * A net.Socket over an fd berthd owns: a pipe end, or the writing side of a
 * SOCK_SEQPACKET unix socket (conmon's attach socket), which `new Socket({ fd })`
 * refuses (libuv's handle guess knows stream sockets and pipes only). libuv
 * writes to any such fd alike once it is opened as a pipe handle, and pause()
 * stops reading it, which is how a slow client holds the writer back instead of
 * filling berthd's memory.
 *
 * The socket owns the fd from here on (destroy() closes it); on failure the fd is closed.
 * Not for reading a seqpacket socket: see packetStream.
 */
interface PipeHandle {
  open(fd: number): number | undefined;
}

interface PipeWrap {
  Pipe: new (type: number) => PipeHandle;
  constants: { SOCKET: number };
}

let pipeWrap: PipeWrap | undefined;

export function socketOverFd(fd: number, o: { readable: boolean; writable: boolean }): Socket {
  // Node's own pipe handle, as `new Socket({ fd })` makes internally for pipes; process.binding keeps it reachable.
  pipeWrap ??= (process as unknown as { binding(name: 'pipe_wrap'): PipeWrap }).binding('pipe_wrap');
  const handle = new pipeWrap.Pipe(pipeWrap.constants.SOCKET);
  try {
    const err = handle.open(fd);
    if (typeof err === 'number' && err < 0) throw Object.assign(new Error(`uv_pipe_open: error ${err}`), { errno: err });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  // allowHalfOpen: ending one direction (stdin done) must not end the other (output still coming).
  return new Socket({ handle, readable: o.readable, writable: o.writable, allowHalfOpen: true } as ConstructorParameters<typeof Socket>[0]);
}

/**
 * The packets of a SOCK_SEQPACKET fd as a Readable of Buffers, one per packet
 * (object mode keeps them apart). It owns `fd`. Reading stops while the
 * consumer is behind (push() said so) and goes on when it asks again.
 */
export function packetStream(fd: number): Readable {
  let reader: ReturnType<typeof packetReader> | undefined;
  const stream = new Readable({
    objectMode: true,
    highWaterMark: 16,
    read() {
      reader?.start();
    },
    destroy(err, cb) {
      reader?.close();
      reader = undefined;
      cb(err);
    },
  });
  try {
    reader = packetReader(fd, (packets, status) => {
      let more = true;
      for (const p of packets) more = stream.push(p) && more;
      if (status === 1) stream.push(null);
      else if (status < 0) stream.destroy(Object.assign(new Error(`read: errno ${-status}`), { errno: status }));
      else if (!more) reader?.stop();
    });
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return stream;
}

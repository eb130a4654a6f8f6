import { closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { socketOverFd } from '../../platform/linux/fd-stream.js';
import { pipe } from '../../platform/linux/sys.js';
import type { AttachStreams } from './types.js';

/**
 * The stdio of an attached exec without a tty: three plain pipes made by
 * berthd before conmon starts, handed to the process as they are (conmon
 * --log-path passthrough gives its own stdio to runc, and runc to the
 * process). Nothing sits between the process and berthd, so no output can be
 * lost to a race (conmon 2.1.6's exec attach socket dropped a short-lived
 * process's output when stdin data reached it after the exit), stdout and
 * stderr stay apart, and a client that reads slowly holds the process back
 * through the pipe instead of filling berthd's memory. The process sees pipes,
 * as under dockerd (so /dev/stdout can be opened).
 */
export interface ExecPipes {
  /** The process's ends, as conmon's stdin, stdout and stderr. */
  childStdio: [number | 'ignore', number, number];
  /** Closes berthd's copies of the process's ends (once conmon has its own), so the output ends when the process's do. */
  closeChildEnds(): void;
  streams: AttachStreams;
  /** Ends the output streams once `exit` has resolved and nothing more comes (see endAfterExit). */
  endAfter(exit: Promise<unknown>): void;
  /** After a failed start: what was written to stderr (runc's error), read to its end. */
  stderrText(): Promise<string>;
}

/** dockerd gives an exec's streams this long after the exit before it closes them (a background process may hold them). */
const EXIT_GRACE_MS = 2000;
const STDERR_TEXT_LIMIT = 64 * 1024;

export function openExecPipes(openStdin: boolean): ExecPipes {
  const made: number[] = [];
  const make = (): [number, number] => {
    const ends = pipe();
    made.push(...ends);
    return ends;
  };
  let out: [number, number], err: [number, number], input: [number, number] | null;
  try {
    out = make();
    err = make();
    input = openStdin ? make() : null;
  } catch (e) {
    for (const fd of made) closeSync(fd);
    throw e;
  }
  const childEnds = [out[1], err[1], ...(input ? [input[0]] : [])];
  const stdoutSource = socketOverFd(out[0], { readable: true, writable: false });
  const stderrSource = socketOverFd(err[0], { readable: true, writable: false });
  const stdinSink = input ? socketOverFd(input[1], { readable: false, writable: true }) : null;
  const stdout = relay(stdoutSource);
  const stderr = relay(stderrSource);
  const sources = [stdoutSource, stderrSource, ...(stdinSink ? [stdinSink] : [])];
  let childClosed = false;
  return {
    childStdio: [input ? input[0] : 'ignore', out[1], err[1]],
    closeChildEnds: () => {
      if (childClosed) return;
      childClosed = true;
      for (const fd of childEnds) closeSync(fd);
    },
    streams: {
      stdin: stdinSink ? pipeWriter(stdinSink) : discard(),
      stdout,
      stderr,
      close: () => {
        for (const s of sources) s.destroy();
        stdout.end();
        stderr.end();
      },
    },
    endAfter: (exit) => {
      endAfterExit(stdoutSource, stdout, exit);
      endAfterExit(stderrSource, stderr, exit);
    },
    stderrText: () => readText(stderr),
  };
}

/** The caller's view of a pipe: it ends when the pipe does, or when endAfterExit cuts it. */
function relay(source: Socket): PassThrough {
  const out = new PassThrough();
  source.pipe(out);
  source.on('error', () => out.end());
  return out;
}

/**
 * The output ends at EOF, which comes once every writer has closed the pipe:
 * the process, and any background process that inherited it. For the latter,
 * as dockerd, the stream is given EXIT_GRACE_MS after the exit and then cut —
 * but only while it is flowing: a pipe held back by a slow client still has
 * the process's last output in it, and that is read to the end first.
 */
function endAfterExit(source: Socket, out: PassThrough, exit: Promise<unknown>): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(() => {
      // After this loop iteration's poll phase, so bytes already in the pipe are read before the check.
      setImmediate(() => {
        if (source.destroyed || source.readableEnded) return;
        if (source.isPaused()) return arm();
        source.unpipe(out);
        source.destroy();
        out.end();
      });
    }, EXIT_GRACE_MS);
  };
  exit.then(arm, arm);
  source.once('close', () => clearTimeout(timer));
}

/** Writes into the process's stdin pipe; once the process closed its end (EPIPE), further input is dropped as on a closed pipe. */
function pipeWriter(sink: Socket): Writable {
  let closed = false;
  sink.on('error', () => {
    closed = true;
  });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (closed || sink.destroyed) return cb();
      // The callback comes once the pipe took the bytes: a process that does not read holds the client back.
      sink.write(chunk, () => cb());
    },
    final(cb) {
      // Closing our end is the process's EOF.
      if (!sink.destroyed) sink.end();
      cb();
    },
    destroy(_err, cb) {
      sink.destroy();
      cb(null);
    },
  });
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}

function readText(stream: PassThrough): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (c: Buffer) => {
      if (text.length < STDERR_TEXT_LIMIT) text += c.toString('utf8');
    });
    stream.once('end', () => resolve(text));
    stream.once('close', () => resolve(text));
  });
}

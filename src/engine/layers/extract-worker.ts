import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { holeBytes } from '../../lib/tar/zeros.js';
import { deserializeError, extractLayer, serializeError } from './extract-layer.js';
import type { FromWorker, ToWorker } from './extract-pool.js';

/**
 * A worker thread that extracts layers (extract-pool.ts hands it one at a
 * time). Its file creation is synchronous syscalls, which here block nobody:
 * the daemon's event loop stays free, and the work uses a second core.
 */

interface Job {
  input: Readable;
  /** Chunks received but not yet taken by the extractor: acknowledged when it reads again. */
  owed: number;
}

/** A hole goes to the extractor as pieces of the shared zero buffer (writers skip those unread). */
const HOLE_PIECE = 1 << 20;

const port = parentPort;
if (port === null) throw new Error('extract-worker.js runs as a worker thread');
let job: Job | null = null;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'start':
      start(message.request);
      break;
    case 'chunk': {
      if (job === null) return; // the job failed already: the rest of its input is not needed
      const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
      if (job.input.push(bytes)) post({ type: 'ack', chunks: 1 });
      else job.owed++;
      break;
    }
    case 'hole': {
      if (job === null) return;
      let more = true;
      for (let left = message.length; left > 0; left -= HOLE_PIECE) more = job.input.push(holeBytes(Math.min(HOLE_PIECE, left)));
      if (more) post({ type: 'ack', chunks: 1 });
      else job.owed++;
      break;
    }
    case 'end':
      job?.input.push(null);
      break;
    case 'abort':
      job?.input.destroy(deserializeError(message.error));
      break;
  }
});

function start(request: Parameters<typeof extractLayer>[1]): void {
  const current: Job = { owed: 0, input: new Readable({ highWaterMark: 1 << 20, read: () => acknowledge(current) }) };
  job = current;
  extractLayer(current.input, request).then(
    (result) => finish({ type: 'done', result }),
    (err: unknown) => finish({ type: 'failed', error: serializeError(err) }),
  );
}

function acknowledge(current: Job): void {
  if (current.owed === 0) return;
  post({ type: 'ack', chunks: current.owed });
  current.owed = 0;
}

function finish(reply: FromWorker): void {
  job = null;
  post(reply);
}

function post(message: FromWorker): void {
  port!.postMessage(message);
}

import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../../lib/errors.js';
import { isHole } from '../../lib/tar/zeros.js';
import { extractionError } from './tar-apply.js';
import { deserializeError, serializeError, type Extracted, type ExtractRequest, type SerializedError } from './extract-layer.js';

/**
 * Runs layer extractions in worker threads (extract-worker.ts): the main
 * thread only moves the tar's bytes (in batches, transferred without a copy
 * where it can), so parsing, hashing and the thousands of file-creating
 * syscalls of a layer neither block the daemon nor wait for its event loop.
 * Idle workers are kept for the next layer and never keep the process alive.
 */

export type ToWorker =
  | { type: 'start'; request: ExtractRequest }
  | { type: 'chunk'; bytes: Uint8Array }
  /** `length` zero bytes: a sparse file's holes cross as their length, neither copied nor compared. */
  | { type: 'hole'; length: number }
  | { type: 'end' }
  | { type: 'abort'; error: SerializedError };

export type FromWorker =
  | { type: 'ack'; chunks: number }
  | { type: 'done'; result: Extracted }
  | { type: 'failed'; error: SerializedError };

/** Bytes gathered into one message; batches the worker has not taken yet, at most. */
const BATCH = 1 << 20;
const WINDOW = 4;
/** Zero bytes described by one hole message, at most. */
const MAX_HOLE = 64 << 20;
const MAX_IDLE = 2;

const idle: Worker[] = [];

export async function extractInWorker(tar: Readable, request: ExtractRequest): Promise<Extracted> {
  const worker = idle.pop() ?? spawn();
  worker.ref();
  const outcome = await runJob(worker, tar, request);
  if (outcome.reusable && idle.length < MAX_IDLE) {
    worker.unref();
    idle.push(worker);
  } else {
    void worker.terminate();
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

function spawn(): Worker {
  const worker = new Worker(new URL('./extract-worker.js', import.meta.url));
  worker.on('exit', () => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  });
  worker.on('error', () => undefined); // reported to the job running on it (runJob), if any
  return worker;
}

/** How a job ended; a worker that crashed is not used again. */
type Outcome = ({ result: Extracted } | { error: Error }) & { reusable: boolean };

/**
 * One extraction on `worker`. Settles once the worker is done with the job's
 * files (its caller removes the directory on failure), with the error the
 * extraction would have given in this thread.
 */
function runJob(worker: Worker, tar: Readable, request: ExtractRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    let credit = WINDOW;
    let wake: (() => void) | null = null;
    let finished = false;
    let inputError: Error | null = null;
    const settle = (outcome: () => void) => {
      finished = true;
      worker.off('message', onMessage).off('error', onCrash).off('exit', onCrash);
      wake?.();
      outcome();
    };
    const onMessage = (message: FromWorker) => {
      if (message.type === 'ack') {
        credit += message.chunks;
        wake?.();
      } else if (message.type === 'done') {
        settle(() => resolve(inputError ? { error: extractionError(inputError), reusable: true } : { result: message.result, reusable: true }));
      } else {
        tar.destroy();
        // A failed input is the cause, whatever the worker saw first once it was aborted (its
        // stream may have been destroyed before the abort's error reached it).
        const error = inputError ? extractionError(inputError) : deserializeError(message.error);
        settle(() => resolve({ error, reusable: true }));
      }
    };
    const onCrash = (err?: unknown) => {
      tar.destroy();
      const why = err instanceof Error ? err.message : `exit code ${String(err)}`;
      settle(() => resolve({ error: new EngineError('internal', `layer extraction worker stopped: ${why}`), reusable: false }));
    };
    worker.on('message', onMessage).on('error', onCrash).on('exit', onCrash);
    worker.postMessage({ type: 'start', request } satisfies ToWorker);

    /** Waits until the worker may be sent one more message; false once the job is over. */
    const takeCredit = async () => {
      while (credit <= 0 && !finished) await new Promise<void>((r) => (wake = r));
      wake = null;
      if (finished) return false;
      credit--;
      return true;
    };
    const send = async (batch: Buffer[], size: number) => {
      if (!(await takeCredit())) return;
      const bytes = batch.length === 1 ? batch[0]! : Buffer.concat(batch, size);
      // A buffer that owns its whole memory moves to the worker; a slice of a shared one is copied.
      const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && batch.length > 1;
      worker.postMessage({ type: 'chunk', bytes } satisfies ToWorker, owned ? [bytes.buffer as ArrayBuffer] : []);
    };
    const sendHole = async (length: number) => {
      if (!(await takeCredit())) return;
      worker.postMessage({ type: 'hole', length } satisfies ToWorker);
    };
    const pump = async () => {
      let batch: Buffer[] = [];
      let size = 0;
      let hole = 0; // zero bytes (holeBytes) not sent yet
      try {
        for await (const chunk of tar as AsyncIterable<Buffer>) {
          if (finished) return;
          if (isHole(chunk)) {
            if (size > 0) await send(batch, size);
            [batch, size] = [[], 0];
            hole += chunk.length;
            if (hole >= MAX_HOLE) {
              await sendHole(hole);
              hole = 0;
            }
            continue;
          }
          if (hole > 0) {
            await sendHole(hole);
            hole = 0;
          }
          batch.push(chunk);
          size += chunk.length;
          if (size < BATCH) continue;
          await send(batch, size);
          batch = [];
          size = 0;
        }
        if (hole > 0) await sendHole(hole);
        if (size > 0) await send(batch, size);
        if (!finished) worker.postMessage({ type: 'end' } satisfies ToWorker);
      } catch (err) {
        inputError = err instanceof Error ? err : new Error(String(err));
        if (!finished) worker.postMessage({ type: 'abort', error: serializeError(inputError) } satisfies ToWorker);
      }
    };
    void pump();
  });
}

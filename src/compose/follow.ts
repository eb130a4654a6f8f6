/**
 * A container's output stream (attach or logs) cut into lines: frames
 * demultiplexed unless the container has a tty, stdout and stderr kept apart
 * until a line is complete, a last unterminated line flushed at the end.
 */
import type { Readable } from 'node:stream';
import { Demuxer } from '../client/index.js';

export async function forEachLine(source: Readable, tty: boolean, onLine: (line: string) => void): Promise<void> {
  const pending = new Map<number, string>();
  const take = (stream: number, text: string) => {
    const parts = ((pending.get(stream) ?? '') + text).split('\n');
    pending.set(stream, parts.pop() ?? '');
    for (const part of parts) onLine(part.replace(/\r$/, ''));
  };
  const demuxer = tty ? undefined : new Demuxer((stream, payload) => take(stream, payload.toString('utf8')));
  try {
    for await (const chunk of source) {
      if (demuxer) demuxer.push(chunk as Buffer);
      else take(1, (chunk as Buffer).toString('utf8'));
    }
  } catch (err) {
    // A stream cut by the engine or by us (Ctrl-C, abort) ends the output; it is not an error of the command.
    if ((err as { code?: string }).code !== 'ECONNRESET' && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
  for (const rest of pending.values()) if (rest !== '') onLine(rest);
}

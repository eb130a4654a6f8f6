/**
 * docker's jsonmessage.DisplayJSONMessagesStream for pull and push: on a
 * terminal every layer keeps its own line, rewritten in place (cursor up,
 * clear, print, cursor down); elsewhere byte-progress messages are dropped
 * and statuses print one per line.
 */
import type { Writable } from 'node:stream';
import type { JsonMessage } from '../../client/types.js';
import { StatusError, write } from '../command.js';

const ESC = '\x1b[';

export interface ProgressDisplay {
  out: Writable;
  terminal: boolean;
  /** Called with each message's aux value (push's {Tag, Digest, Size}). */
  onAux?: (aux: unknown) => void;
}

export async function displayProgress(display: ProgressDisplay, messages: AsyncIterable<JsonMessage>): Promise<void> {
  const { out, terminal } = display;
  let lines = new Map<string, number>();
  for await (const msg of messages) {
    if (msg.errorDetail?.message || msg.error) throw new StatusError(msg.errorDetail?.message || msg.error || '', 1);
    if (msg.aux !== undefined) {
      display.onAux?.(msg.aux);
      continue;
    }
    let up = 0;
    if (msg.id && (msg.progressDetail !== undefined || msg.progress)) {
      let line = lines.get(msg.id);
      if (line === undefined) {
        line = lines.size;
        lines.set(msg.id, line);
        if (terminal) await write(out, '\n');
      }
      up = lines.size - line;
      if (terminal) await write(out, `${ESC}${up}A`);
    } else {
      // Anything else starts a new block: earlier layers' lines are never rewritten again (pull -a).
      lines = new Map();
    }
    await write(out, render(msg, terminal));
    if (msg.id && terminal && up > 0) await write(out, `${ESC}${up}B`);
  }
}

function hasBytes(msg: JsonMessage): boolean {
  return msg.progressDetail?.current !== undefined || !!msg.progress;
}

function render(msg: JsonMessage, terminal: boolean): string {
  if (!terminal && hasBytes(msg)) return '';
  const prefix = msg.id ? `${msg.id}: ` : '';
  if (msg.stream !== undefined) return prefix + msg.stream;
  if (terminal && msg.progressDetail !== undefined) return `${ESC}2K\r${prefix}${msg.status ?? ''} ${msg.progress ?? ''}\r`;
  return `${prefix}${msg.status ?? ''}\n`;
}

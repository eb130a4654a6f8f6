/**
 * Decodes a JSON message stream (load, import, pull progress): Go's
 * json.Encoder writes values back to back, usually newline separated, but a
 * value may span chunks. Each complete top-level value is yielded parsed.
 */
import type { Readable } from 'node:stream';
import type { JsonMessage } from './types.js';

/** Largest single message we accept; progress messages are tiny. */
const MAX_MESSAGE = 1024 * 1024;

export async function* readJsonMessages(stream: Readable): AsyncGenerator<JsonMessage> {
  let pending = '';
  for await (const chunk of stream) {
    pending += Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    let end: number;
    while ((end = topLevelValueEnd(pending)) !== -1) {
      const text = pending.slice(0, end).trim();
      pending = pending.slice(end);
      if (text) yield JSON.parse(text) as JsonMessage;
    }
    if (pending.length > MAX_MESSAGE) throw new Error('JSON message in stream exceeds 1 MiB');
  }
  if (pending.trim()) yield JSON.parse(pending) as JsonMessage;
}

/** Index just past the first complete top-level JSON object in text, or -1. */
function topLevelValueEnd(text: string): number {
  let depth = 0;
  let inString = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      depth++;
      started = true;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0 && started) return i + 1;
    }
  }
  return -1;
}

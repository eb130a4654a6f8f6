/**
 * Detach key sequences as moby's term.ToBytes reads them: comma separated,
 * each a single character or `ctrl-<x>` for a-z and @ [ \ ] ^ _.
 */

import type { FlagSpec } from '../flags.js';
export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIALS: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

export function parseDetachKeys(keys: string): Buffer {
  const codes: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const ctrl = /^ctrl-(.)$/i.exec(key);
    const letter = ctrl?.[1].toLowerCase();
    if (letter && letter >= 'a' && letter <= 'z') codes.push(letter.charCodeAt(0) - 96);
    else if (letter && letter in CTRL_SPECIALS) codes.push(CTRL_SPECIALS[letter]);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return Buffer.from(codes);
}

/**
 * moby's term.EscapeProxy as a filter: input passes through except a
 * (possibly split) detach sequence, which is held back while it may still
 * complete; a completed sequence reports `detached` and swallows itself.
 * A partial sequence that breaks off is flushed as typed.
 */
export class DetachKeyFilter {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  filter(chunk: Buffer): { data: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.keys.length > 0 && byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { data: Buffer.from(out), detached: true };
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.subarray(0, this.matched));
        this.matched = 0;
        if (byte === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(byte);
    }
    return { data: Buffer.from(out), detached: false };
  }
}

/** --detach-keys, as attach, start, exec, run and create take it. */
export const detachKeysFlag: FlagSpec = {
  long: 'detach-keys', type: 'string', usage: 'Override the key sequence for detaching a container', valueName: 'string',
};

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { conflict } from '../../lib/errors.js';
import type { TerminalSize } from './types.js';

/**
 * conmon's control fifo (<bundle>/ctl): one line per message, "<type> <height> <width>\n".
 * Type 1 resizes the pty (conmon relays it to its winsz fifo and TIOCSWINSZ); type 2
 * reopens the log file. conmon accepts sizes from 0 to 1000.
 */
const CTL_RESIZE = 1;

/** Opens the ctl fifo without blocking: with no reader (conmon gone) this fails instead of hanging. */
export async function writeCtl(path: string, size: TerminalSize): Promise<void> {
  const h = Math.max(0, Math.min(1000, Math.trunc(size.height)));
  const w = Math.max(0, Math.min(1000, Math.trunc(size.width)));
  let fh;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw conflict('cannot resize: the container has no running monitor', err);
  }
  try {
    await fh.write(`${CTL_RESIZE} ${h} ${w}\n`);
  } finally {
    await fh.close();
  }
}

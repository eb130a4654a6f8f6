import { readFileSync } from 'node:fs';

let cached: number | null | undefined;

/**
 * The process's umask, read from /proc/self/status (Linux 4.7+), or null if
 * it cannot be read there. Not process.umask(): without an argument that
 * sets the mask to 0 for a moment, and files created meanwhile by another
 * thread would get modes wider than asked.
 */
export function processUmask(): number | null {
  if (cached !== undefined) return cached;
  try {
    const line = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    cached = line ? parseInt(line[1]!, 8) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/**
 * Long JSON-lines responses (pull and push progress, the events feed): one
 * JSON value a line, written as it comes, ended when the source ends or the
 * browser goes away. A failure once the 200 has gone out can only be told in
 * the stream itself, as a final {"error": …} line.
 */
import type { ServerResponse } from 'node:http';

export function startLines(res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();
}

export const writeLine = (res: ServerResponse, value: unknown): void => {
  if (!res.writableEnded) res.write(`${JSON.stringify(value)}\n`);
};

/** Writes every value of `source` as a line; `stop` is called when the browser leaves first. */
export async function copyLines<T>(res: ServerResponse, source: AsyncIterable<T>, stop: () => void, map: (value: T) => unknown = (v) => v): Promise<void> {
  res.once('close', stop);
  try {
    for await (const value of source) writeLine(res, map(value));
  } catch (err) {
    if (!res.destroyed) writeLine(res, { error: err instanceof Error ? err.message : String(err) });
  } finally {
    res.off('close', stop);
    res.end();
  }
}

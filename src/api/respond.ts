import type { ServerResponse } from 'node:http';
import { toEngineError } from '../lib/errors.js';

/**
 * One value as Go's json.Marshal or a default json.Encoder writes it (dockerd's message streams, events,
 * stats and wait): HTML's <, > and & and the JavaScript line separators escaped, then a newline.
 * dockerd's WriteJSON (answers and errors: sendJson) turns that escaping off.
 */
export function goJsonLine(value: unknown): string {
  return `${JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** As dockerd's WriteJSON (a Go json.Encoder without HTML escaping): the body ends with a newline. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status).end();
}

/**
 * A stream of JSON messages (progress of load, import, pull…). Once the
 * stream has started, errors can no longer change the status, so they are
 * sent as a final {"errorDetail": …} message, as Docker does.
 */
export class JsonMessageStream {
  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
  }

  send(message: object): void {
    this.res.write(goJsonLine(message));
  }

  fail(err: unknown): void {
    const message = toEngineError(err).message;
    this.send({ errorDetail: { message }, error: message });
  }

  end(): void {
    this.res.end();
  }
}

/**
 * A JSON message stream whose headers go out with the first message, as
 * dockerd's flushing writer: an error before any progress (unknown image,
 * wrong password) is still an ordinary HTTP error with its status, which is
 * what clients show as "Error response from daemon: …" and SDKs raise.
 */
export class LazyJsonStream {
  private started = false;

  constructor(private readonly res: ServerResponse) {}

  send(message: object): void {
    if (!this.started) {
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
      this.started = true;
    }
    this.res.write(goJsonLine(message));
  }

  async run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!this.started) throw err;
      const message = toEngineError(err).message;
      this.send({ errorDetail: { message }, error: message });
    }
    if (!this.started) this.res.writeHead(200, { 'Content-Type': 'application/json' });
    this.res.end();
  }
}

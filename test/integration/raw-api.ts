/**
 * One request to a daemon's unix socket, on a connection of its own, with
 * the body read whole: for tests that compare raw answers (status, body,
 * headers) between berthd and dockerd.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';

export interface RawReply {
  status: number;
  body: string;
  headers: IncomingHttpHeaders;
}

/** A body sent as it is, labelled JSON: for what a client might send that is not JSON at all. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `body`, if given, is sent as JSON, or as a tar stream when it is a Buffer. */
export function rawRequest(socketPath: string, method: string, path: string, body?: unknown): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined || Buffer.isBuffer(body) ? body : body instanceof RawJson ? body.text : JSON.stringify(body);
    const headers = payload === undefined ? {} : { 'Content-Type': Buffer.isBuffer(payload) ? 'application/x-tar' : 'application/json' };
    // No keep-alive: a pooled socket the daemon has closed meanwhile would fail the next request with EPIPE.
    const req = request({ socketPath, agent: false, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** rawRequest bound to one daemon's socket. */
export function apiOn(socketPath: string): (method: string, path: string, body?: unknown) => Promise<RawReply> {
  return (method, path, body) => rawRequest(socketPath, method, path, body);
}

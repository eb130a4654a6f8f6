/**
 * An HTTP proxy on a unix socket in front of a daemon's socket that times
 * every request, from its arrival to the end of the daemon's response, by
 * method and path with IDs and names folded ("POST /containers/{}/start"):
 * how long a client such as compose waits for each call. Plain
 * request/response only (no hijacked attach streams); the proxy's own hop
 * is the same whichever daemon is behind it.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { rm } from 'node:fs/promises';

export interface TimingProxy {
  /** For `-H`. */
  host: string;
  /** The times (ms) of the requests made so far, by folded method and path. */
  times(): Map<string, number[]>;
  close(): Promise<void>;
}

/** "/v1.41/containers/abc/start?x=1" → "/containers/{}/start"; networks, volumes and images likewise. */
export function foldPath(method: string, url: string): string {
  const path = url.split('?')[0]!.replace(/^\/v[0-9.]+\//, '/');
  const folded = path.replace(/^\/(containers|networks|volumes|images)\/(?!json$|create$|prune$)[^/]+/, '/$1/{}');
  return `${method} ${folded}`;
}

export async function startTimingProxy(socket: string, daemonSocket: string): Promise<TimingProxy> {
  const times = new Map<string, number[]>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const began = performance.now();
    const upstream = httpRequest({ socketPath: daemonSocket, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (err) => res.destroy(err));
    res.on('finish', () => {
      const key = foldPath(req.method ?? 'GET', req.url ?? '/');
      times.set(key, [...(times.get(key) ?? []), performance.now() - began]);
    });
    req.pipe(upstream);
  });
  await rm(socket, { force: true });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
  return {
    host: `unix://${socket}`,
    times: () => times,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

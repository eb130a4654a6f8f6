import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/**
 * fetch() for URLs users give berthd (build contexts, ADD sources, import
 * sources). Node's fetch follows the Fetch standard, which refuses the
 * "bad ports" browsers block (6000, 10080, 5060…) with "bad port"; dockerd
 * (Go's net/http) fetches them as any other. For a URL on one of those ports
 * the GET goes through node:http instead, redirects followed, and comes back
 * as a Response; failures throw as fetch's do (a TypeError whose cause is the
 * socket's error).
 */

/** The Fetch standard's blocked ports (fetch.spec.whatwg.org, "bad port"). */
const BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113,
  115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556,
  563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
  6668, 6669, 6679, 6697, 10080,
]);
const MAX_REDIRECTS = 10;

export async function fetchAnyPort(url: string | URL, init: { signal?: AbortSignal } = {}): Promise<Response> {
  let target = new URL(url);
  if (!onBadPort(target)) return fetch(target, { signal: init.signal, redirect: 'follow' });
  for (let hops = 0; ; hops++) {
    const res = await get(target, init.signal);
    const location = res.headers.location;
    if (res.statusCode !== undefined && [301, 302, 303, 307, 308].includes(res.statusCode) && location) {
      res.resume();
      if (hops === MAX_REDIRECTS) throw new TypeError('fetch failed', { cause: new Error('redirect count exceeded') });
      target = new URL(location, target);
      if (!onBadPort(target)) return fetch(target, { signal: init.signal, redirect: 'follow' });
      continue;
    }
    return toResponse(res);
  }
}

function onBadPort(url: URL): boolean {
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.port !== '' && BAD_PORTS.has(Number(url.port));
}

function get(url: URL, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', signal }, resolve);
    req.on('error', (err) => reject(new TypeError('fetch failed', { cause: err })));
    req.end();
  });
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
  }
  const status = res.statusCode ?? 500;
  const noBody = [204, 205, 304].includes(status);
  if (noBody) res.resume();
  const body = noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

/**
 * For the CLI pool's workers (main.ts's warmUp): a command's first request
 * runs Node's HTTP client and ours for the first time in the process, their
 * functions compiled as they are reached (~10 ms of CPU in a `ps`). One ping
 * and one JSON request against a throwaway server on loopback, off the
 * command's path, leave that done.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BerthClient } from '../client/index.js';
import { MAX_API_VERSION } from '../client/client.js';

export async function warmHttp(): Promise<void> {
  const server = createServer((req, res) => {
    const ping = req.url === '/_ping';
    res.writeHead(200, { 'Api-Version': MAX_API_VERSION, 'Content-Type': ping ? 'text/plain; charset=utf-8' : 'application/json' });
    res.end(ping ? 'OK' : '[]\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const { port } = server.address() as AddressInfo;
    await new BerthClient({ host: `tcp://127.0.0.1:${port}` }).listContainers({ all: true });
  } finally {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }
}

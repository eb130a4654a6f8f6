import { chown, chmod, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { ApiHandlers } from '../api/server.js';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { errnoCode, invalid } from '../lib/errors.js';

export interface Listener {
  address: string;
  server: Server;
  close(): Promise<void>;
}

/** Parses -H values: unix:///path, tcp://host:port, or host:port as dockerd does. */
export function parseHost(host: string): { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number } {
  if (host.startsWith('unix://')) {
    const path = host.slice('unix://'.length);
    if (!path.startsWith('/')) throw invalid(`invalid unix socket path: ${host}`);
    return { kind: 'unix', path };
  }
  if (host.startsWith('fd://')) throw invalid(`${host}: socket activation (fd://) is not supported by berthd`);
  const tcp = /^(?:tcp:\/\/)?(\[[^\]]+\]|[^:/]*):(\d+)$/.exec(host);
  if (tcp) {
    const port = Number(tcp[2]);
    if (port < 1 || port > 65535) throw invalid(`invalid port in ${host}`);
    return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
  }
  throw invalid(`invalid host address ${JSON.stringify(host)}: use unix:///path or tcp://host:port`);
}

export async function listen(
  host: string,
  handlers: ApiHandlers,
  options: { group?: string },
): Promise<Listener> {
  const spec = parseHost(host);
  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 }, handlers.request);
  server.on('upgrade', handlers.upgrade);
  // Hijacked sockets (attach, exec) leave the HTTP server's books but still hold it open: track them all.
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  if (spec.kind === 'unix') {
    await mkdir(dirname(spec.path), { recursive: true });
    await unlink(spec.path).catch((err) => {
      if (errnoCode(err) !== 'ENOENT') throw err;
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(spec.path, resolve));
    await chmod(spec.path, 0o660);
    if (options.group) await chown(spec.path, 0, groupId(options.group));
    return { address: host, server, close: () => closeServer(server, sockets).then(() => unlink(spec.path).catch(() => undefined)) };
  }
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(spec.port, spec.host, resolve));
  return { address: host, server, close: () => closeServer(server, sockets) };
}

function closeServer(server: Server, sockets: Set<import('node:net').Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

function groupId(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  try {
    return Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);
  } catch {
    throw invalid(`group ${group} not found`);
  }
}

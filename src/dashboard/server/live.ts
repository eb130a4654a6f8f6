/**
 * /api/live: one WebSocket per browser tab. It gets the hosts and all
 * containers on connect, then every change the engines' /events cause. Only
 * with a session and from our own origin (browsers send cookies on
 * cross-site WebSocket handshakes, so Origin is the CSRF check here).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LiveMessage } from '../shared/types.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sameOrigin } from './http.js';

/** A tab that lets this much pile up unread is dropped (it reconnects and gets a fresh snapshot). */
const MAX_BUFFERED = 8 * 1024 * 1024;
const SESSION_CHECK_MS = 30_000;

/** Another WebSocket endpoint (the terminal): true when it took the upgrade. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: string) => void) => boolean;

export function attachLive(server: Server, guard: Guard, hosts: HostManager, others: UpgradeHandler[] = []): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (others.some((handler) => handler(req, socket, head, refuse))) return;
    if (path !== '/api/live') return refuse('404 Not Found');
    if (!sameOrigin(req)) return refuse('403 Forbidden');
    if (!guard.caller(req)) return refuse('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws, req, guard, hosts));
  });
  return wss;
}

function serve(ws: WebSocket, req: IncomingMessage, guard: Guard, hosts: HostManager): void {
  const send = (message: LiveMessage) => {
    if (ws.bufferedAmount > MAX_BUFFERED) return ws.terminate();
    ws.send(JSON.stringify(message));
  };
  const onMessage = (message: LiveMessage) => send(message);
  // Signed out or removed meanwhile: the socket must not outlive the session.
  const check = setInterval(() => {
    if (!guard.caller(req)) ws.close(4401, 'session ended');
  }, SESSION_CHECK_MS);
  hosts.on('message', onMessage);
  ws.on('close', () => {
    clearInterval(check);
    hosts.off('message', onMessage);
  });
  ws.on('error', () => ws.terminate());
  send({ type: 'hosts', hosts: hosts.summaries() });
  for (const summary of hosts.summaries()) {
    send({ type: 'containers', host: summary.name, containers: hosts.get(summary.name).containers });
    send({ type: 'usage', host: summary.name, usage: hosts.usage(summary.name) });
  }
}

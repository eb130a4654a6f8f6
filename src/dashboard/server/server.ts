/**
 * Starts the dashboard: opens the data directory (users.json, sessions.json,
 * hosts.json), creates the first admin when a password was given, starts
 * watching the hosts and listens (HTTP or HTTPS).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { invalid } from '../../lib/errors.js';
import { Accounts, checkPassword } from './accounts.js';
import { apiRouter } from './api.js';
import { Guard } from './guard.js';
import { loadHostsFile } from './host-config.js';
import { HostManager } from './hosts.js';
import { errorResponse, sendJson, type Router } from './http.js';
import { attachLive } from './live.js';
import { SessionStore } from './sessions.js';
import { RegistryStore } from './registry-store.js';
import { serveStatic } from './static.js';
import { Terminals } from './terminal.js';
import { LoginGate, type ThrottleOptions } from './throttle.js';

export interface DashboardConfig {
  host: string;
  port: number;
  dataDir: string;
  tls?: { cert: string; key: string };
  hostsFile?: string;
  /** The first admin's password (only used while there is no user yet). */
  adminPassword?: string;
  assetsDir?: string;
  loginThrottle?: ThrottleOptions;
}

export interface RunningDashboard {
  address: string;
  url: string;
  close(): Promise<void>;
}

/** Inline styles are allowed (scripts are not): xterm.js's renderer sizes and colours the terminal with a <style> element of its own. */
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export async function startDashboard(config: DashboardConfig, log: (line: string) => void = () => undefined): Promise<RunningDashboard> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const accounts = await Accounts.open(join(config.dataDir, 'users.json'));
  if (config.adminPassword !== undefined && accounts.isEmpty()) {
    await accounts.create('admin', checkPassword(config.adminPassword), 'admin');
    log('created the admin user "admin"');
  }
  const sessions = await SessionStore.open(join(config.dataDir, 'sessions.json'));
  const fromFile = config.hostsFile ? await loadHostsFile(config.hostsFile) : [];
  const hosts = await HostManager.open(join(config.dataDir, 'hosts.json'), fromFile);
  const guard = new Guard(sessions, accounts);
  const registries = await RegistryStore.open(join(config.dataDir, 'registries.json'));
  const router = apiRouter({ accounts, sessions, guard, throttle: new LoginGate(config.loginThrottle), hosts, registries, secure: config.tls !== undefined });
  const listener = (req: IncomingMessage, res: ServerResponse) => void handle(router, req, res, config.assetsDir);
  const server: Server = config.tls
    ? (await import('node:https')).createServer({ cert: await readFile(config.tls.cert), key: await readFile(config.tls.key), minVersion: 'TLSv1.2' }, listener)
    : createHttpServer(listener);
  const terminals = new Terminals(guard, hosts);
  const wss = attachLive(server, guard, hosts, [(...args) => terminals.upgrade(...args)]);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) => reject(invalid(`cannot listen on ${config.host}:${config.port}: ${err.message}`, err)));
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (err) {
    hosts.close();
    throw err;
  }
  const { address, port } = server.address() as AddressInfo;
  const hostPart = address.includes(':') ? `[${address}]` : address;
  return {
    address: `${hostPart}:${port}`,
    url: `${config.tls ? 'https' : 'http'}://${hostPart}:${port}`,
    close: async () => {
      hosts.close();
      terminals.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(router: Router<unknown>, req: IncomingMessage, res: ServerResponse, assetsDir?: string): Promise<void> {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = router.match(req.method ?? 'GET', url.pathname);
    if (route) return await route.handler({ req, res, url, params: route.params, state: undefined });
    if (url.pathname.startsWith('/api/')) return sendJson(res, 404, { message: `no such API: ${url.pathname}` });
    if ((req.method === 'GET' || req.method === 'HEAD') && (await serveStatic(url.pathname, res, assetsDir))) return;
    sendJson(res, 404, { message: 'not found' });
  } catch (err) {
    const { status, message, headers } = errorResponse(err);
    if (res.headersSent) return void res.destroy();
    sendJson(res, status, { message }, headers);
  }
}

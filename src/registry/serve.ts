/**
 * Starts the registry: opens the store, loads htpasswd, listens (HTTP or
 * TLS), and on SIGTERM/SIGINT stops accepting, lets requests in flight
 * finish (up to a grace period) and exits.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { invalid } from '../lib/errors.js';
import { openConsoleAuth, projectQuota } from './auth/console.js';
import { Htpasswd } from './auth/htpasswd.js';
import type { ServeConfig } from './config.js';
import { GcService } from './gc-service.js';
import { createRequestListener, type AuthOptions } from './http/server.js';
import { Registry } from './registry.js';
import { openRemoteServices, proxyResolver } from './remote/services.js';
import { openPolicies } from './policies/open.js';
import { CacheExpiry } from './proxy/expiry.js';

const SHUTDOWN_GRACE_MS = 30_000;
const UPLOAD_PURGE_INTERVAL_MS = 24 * 3600 * 1000;

export interface RunningRegistry {
  server: Server;
  /** host:port actually bound (the port is chosen when the config says 0). */
  address: string;
  close(): Promise<void>;
}

export async function startRegistry(config: ServeConfig, log: (line: string) => void): Promise<RunningRegistry> {
  const registry = await Registry.open({ root: config.root, deleteEnabled: config.deleteEnabled }).catch((err: unknown) => {
    throw invalid(`cannot use storage root ${config.root}: ${(err as Error).message}`, err);
  });
  const auth = await authOptions(config);
  const consoleAuth = config.console
    ? await openConsoleAuth(config.root, {
        adminPassword: await adminPassword(config.console.adminPasswordFile),
        tokenTtlSeconds: config.console.tokenTtlSeconds,
        tokenRealm: config.console.tokenRealm,
        tokenService: config.console.tokenService,
        log,
      })
    : undefined;
  // What a pull-through cache fetched goes again after its TTL.
  const expiry = config.proxy || consoleAuth ? await CacheExpiry.open(registry, log) : undefined;
  if (consoleAuth) {
    registry.quotaFor = projectQuota(consoleAuth.accounts);
    registry.manifestRemoved = (name, digest) => consoleAuth.pulls.forgetManifest(name, digest);
    consoleAuth.gc = await GcService.open(registry, log);
    consoleAuth.remote = await openRemoteServices(config.root, registry, log, expiry!, config.console!.replicationParallel);
    registry.tagGuard = (consoleAuth.policies = await openPolicies(config.root, registry, consoleAuth, log)).guard;
  }
  const listener = createRequestListener({
    registry,
    auth,
    console: consoleAuth,
    allowPlainHttp: config.console?.allowPlainHttp,
    proxy: proxyResolver(config.proxy, consoleAuth?.remote, log, expiry),
    accessLog: config.accessLog ? log : undefined,
    errorLog: (message) => log(`error: ${message}`),
  });
  // node:https (and TLS with it) is loaded only when serving TLS.
  const server = config.tls ? (await import('node:https')).createServer(await tlsFiles(config.tls), listener) : createHttpServer(listener);
  // Blob uploads can be slow; the per-request timeout would cut them off.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(invalid(`cannot listen on ${config.host}:${config.port}: ${err.message}`, err)));
    server.listen(config.port, config.host, () => resolve());
  });
  const purge = setInterval(() => {
    registry.uploads.purgeStale().catch((err: unknown) => log(`error: purging stale uploads: ${(err as Error).message}`));
  }, UPLOAD_PURGE_INTERVAL_MS);
  purge.unref();
  server.once('close', () => {
    clearInterval(purge);
    consoleAuth?.gc?.close();
    consoleAuth?.policies?.scheduler.close();
    expiry?.close();
  });
  const bound = server.address() as AddressInfo;
  const address = `${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`;
  if ((auth || consoleAuth) && !config.tls && !(auth ?? config.console)!.allowPlainHttp) {
    log('note: no TLS, so basic auth is accepted only from loopback clients');
  }
  const close = async () => {
    await closeGracefully(server);
    // The last webhook attempts may still be on their way to disk.
    await consoleAuth?.policies?.sender.history.flush();
    await consoleAuth?.pulls.flush();
  };
  return { server, address, close };
}

async function authOptions(config: ServeConfig): Promise<AuthOptions | undefined> {
  if (!config.auth) return undefined;
  const htpasswd = new Htpasswd(config.auth.path);
  await htpasswd.load();
  return { htpasswd, realm: config.auth.realm, allowPlainHttp: config.auth.allowPlainHttp };
}

/**
 * The first admin's password: the file (trailing newline dropped), else
 * BERTH_REGISTRY_ADMIN_PASSWORD; needed only when the accounts do not exist yet.
 */
async function adminPassword(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return process.env.BERTH_REGISTRY_ADMIN_PASSWORD;
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    throw invalid(`cannot read the admin password file ${file}: ${(err as Error).message}`, err);
  }
}

async function tlsFiles(tls: { cert: string; key: string }): Promise<{ cert: Buffer; key: Buffer }> {
  const read = async (path: string, what: string) => {
    try {
      return await readFile(path);
    } catch (err) {
      throw invalid(`cannot read TLS ${what} ${path}: ${(err as Error).message}`, err);
    }
  };
  return { cert: await read(tls.cert, 'certificate'), key: await read(tls.key, 'key') };
}

function closeGracefully(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

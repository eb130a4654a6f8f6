/**
 * Remote access: the TLS material of tcp:// listeners and the rule for plain
 * TCP. As dockerd 27+: plain TCP on an address other than loopback starts
 * only when --tls=false is given explicitly, and then with a loud warning;
 * on loopback it starts with a warning.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { invalid } from '../lib/errors.js';
import type { DaemonConfig } from './config.js';
import { parseHost, type ServerTls } from './listeners.js';
import type { Logger } from './log.js';

/** The server's certificate and key (and CA with --tlsverify), or undefined without --tls/--tlsverify. */
export async function loadServerTls(config: DaemonConfig): Promise<ServerTls | undefined> {
  if (!config.tls && !config.tlsVerify) return undefined;
  const read = (what: string, path: string) => readFile(path).catch((err: Error) => {
    throw invalid(`could not load TLS ${what} ${path}: ${err.message}`);
  });
  const [cert, key] = await Promise.all([read('certificate', config.tlsCert), read('key', config.tlsKey)]);
  const ca = config.tlsVerify ? await read('CA certificate', config.tlsCaCert) : undefined;
  return { cert, key, ca, verify: config.tlsVerify };
}

function tcpHosts(config: DaemonConfig): string[] {
  return config.hosts.filter((h) => !h.startsWith('fd://') && !h.startsWith('unix://'));
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Refuses or warns about tcp:// hosts without TLS; returns nothing when every listener is safe. */
export function checkPlainTcp(config: DaemonConfig, log: Logger): void {
  if (config.tls || config.tlsVerify) {
    if (!config.tlsVerify) warnEach(config, (address) => `${address} uses TLS without --tlsverify: any client that can reach it controls this host`, log);
    return;
  }
  // Socket-activated sockets are systemd's to bind; only -H tcp:// addresses are checked here.
  for (const host of tcpHosts(config)) {
    const spec = parseHost(host);
    if (spec.kind !== 'tcp') continue;
    const address = `http://${spec.host}:${spec.port}`;
    if (isLoopback(spec.host)) {
      log.warn(`API is accessible on ${address} without encryption: any local user or process that can reach it controls this host`);
      continue;
    }
    if (config.tls !== false) {
      throw invalid(`API would be accessible on ${address} without encryption, which gives anyone who can reach it root on this host. `
        + 'Use --tlsverify with --tlscacert, --tlscert and --tlskey, or pass --tls=false explicitly to start anyway');
    }
    for (const line of [
      `!!! API is accessible on ${address} WITHOUT ENCRYPTION OR AUTHENTICATION !!!`,
      'Access to the remote API is equivalent to root access on this host; --tls=false was given explicitly.',
      'Use --tlsverify with a CA and client certificates to protect it.',
    ]) log.warn(line);
  }
}

function warnEach(config: DaemonConfig, message: (address: string) => string, log: Logger): void {
  for (const host of tcpHosts(config)) {
    const spec = parseHost(host, true);
    if (spec.kind === 'tcp') log.warn(message(`https://${spec.host}:${spec.port}`));
  }
}

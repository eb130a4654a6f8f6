import { closeSync } from 'node:fs';
import { iptablesRestore } from '../../platform/linux/iptables.js';
import { netnsSocket } from '../../platform/linux/sys.js';
import { EmbeddedDns, type DnsResolver } from './dns.js';

/**
 * 127.0.0.11 inside each container's netns, as dockerd serves it: berthd
 * makes a UDP and a TCP socket inside the netns bound to 127.0.0.11 on random
 * ports (native addon: a thread enters the netns only to create them), and
 * NAT rules in that netns send port 53 there. Port 53 itself stays free for
 * the container's own servers. The rules live and die with the netns; the
 * sockets are closed when the container stops, or when berthd exits (a
 * restarted berthd makes new ones and rewrites the rules: `refresh`).
 */
export const RESOLVER_IP = '127.0.0.11';

// dockerd's chain names, so the rules read the same inside the container.
const OUTPUT_CHAIN = 'DOCKER_OUTPUT';
const POSTROUTING_CHAIN = 'DOCKER_POSTROUTING';

/** dockerd's rules (libnetwork resolver_unix.go); the jumps only for a new netns, they survive a refresh. */
export function resolverRules(ports: { udp: number; tcp: number }, withJumps: boolean): string[] {
  const rules = (['udp', 'tcp'] as const).flatMap((proto) => [
    `-A ${OUTPUT_CHAIN} -d ${RESOLVER_IP}/32 -p ${proto} -m ${proto} --dport 53 -j DNAT --to-destination ${RESOLVER_IP}:${ports[proto]}`,
    `-A ${POSTROUTING_CHAIN} -s ${RESOLVER_IP}/32 -p ${proto} -m ${proto} --sport ${ports[proto]} -j SNAT --to-source :53`,
  ]);
  if (!withJumps) return rules;
  return [...rules, `-A OUTPUT -d ${RESOLVER_IP}/32 -j ${OUTPUT_CHAIN}`, `-A POSTROUTING -d ${RESOLVER_IP}/32 -j ${POSTROUTING_CHAIN}`];
}

/** The embedded DNS servers of the running containers, by container ID. */
export class SandboxDns {
  private readonly servers = new Map<string, EmbeddedDns>();

  /**
   * Serves 127.0.0.11:53 in the netns at `netnsPath` for container `id`.
   * `fresh`: the netns is new (else berthd restarted and its rules point at old ports).
   */
  async start(id: string, netnsPath: string, resolver: DnsResolver, fresh: boolean): Promise<void> {
    await this.stop(id);
    const udp = netnsSocket(netnsPath, 'udp', RESOLVER_IP);
    let tcp;
    try {
      tcp = netnsSocket(netnsPath, 'tcp', RESOLVER_IP);
    } catch (err) {
      closeSync(udp.fd); // not adopted yet: ours to close
      throw err;
    }
    const server = new EmbeddedDns(resolver);
    await server.start({ fd: udp.fd }, { fd: tcp.fd });
    try {
      await iptablesRestore([{ table: 'nat', chains: [OUTPUT_CHAIN, POSTROUTING_CHAIN], rules: resolverRules({ udp: udp.port, tcp: tcp.port }, fresh) }], netnsPath);
    } catch (err) {
      await server.stop();
      throw err;
    }
    this.servers.set(id, server);
  }

  has(id: string): boolean {
    return this.servers.has(id);
  }

  async stop(id: string): Promise<void> {
    const server = this.servers.get(id);
    this.servers.delete(id);
    await server?.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stop(id)));
  }
}

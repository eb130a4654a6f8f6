import { iptablesRestore, listRules, type IpFamily, type TableScript } from '../../platform/linux/iptables.js';
import type { PublishedPort } from './ports.js';

/**
 * berth's iptables rules, all in chains it owns (names start with `prefix`,
 * BERTH for a daemon), reached by one jump each from the built-in chains:
 *
 *   nat PREROUTING  -m addrtype --dst-type LOCAL -j BERTH            (DNAT of published ports)
 *   nat OUTPUT      ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j BERTH
 *                   (loopback is left to the userland proxy, as Docker does)
 *   nat POSTROUTING -j BERTH-POSTROUTING                             (MASQUERADE out of the host, hairpin)
 *   filter FORWARD  -j BERTH-FORWARD                                 (isolation first, then accepts)
 *
 * The chains are always rewritten in full from the current model in one
 * `iptables-restore --noflush` (declaring a chain flushes it), so they can
 * never drift from what the daemon believes, and each change costs one spawn.
 *
 * One Firewall per family: the IPv6 one writes the same chains with
 * ip6tables, for IPv6 subnets (masqueraded like IPv4 ones, as dockerd's
 * --ip6tables does for ULA subnets) and ports published on IPv6 addresses to
 * a container's IPv6 address.
 */

export interface FirewallNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
  /** Traffic leaving the host from the subnet is masqueraded (the bridge option enable_ip_masquerade, true by default). */
  masquerade: boolean;
}

export interface FirewallPort extends PublishedPort {
  bridge: string;
}

export class Firewall {
  readonly dnat: string;
  readonly postrouting: string;
  readonly forward: string;
  readonly isolation1: string;
  readonly isolation2: string;
  /** The script last written (install or apply), so an apply that changes nothing spawns nothing. */
  private applied: string | null = null;

  constructor(prefix: string, private readonly loopbackViaProxy: boolean, readonly family: IpFamily = 4) {
    this.dnat = prefix;
    this.postrouting = `${prefix}-POSTROUTING`;
    this.forward = `${prefix}-FORWARD`;
    this.isolation1 = `${prefix}-ISOLATION-1`;
    this.isolation2 = `${prefix}-ISOLATION-2`;
  }

  /** Jumps from the built-in chains, as `iptables -S` prints them. */
  private jumps(): Array<{ table: 'nat' | 'filter'; rule: string }> {
    const local = '-m addrtype --dst-type LOCAL';
    return [
      { table: 'nat', rule: `-A PREROUTING ${local} -j ${this.dnat}` },
      { table: 'nat', rule: `-A OUTPUT ${this.loopbackViaProxy ? `! -d ${this.family === 6 ? '::1/128' : '127.0.0.0/8'} ` : ''}${local} -j ${this.dnat}` },
      { table: 'nat', rule: `-A POSTROUTING -j ${this.postrouting}` },
      { table: 'filter', rule: `-A FORWARD -j ${this.forward}` },
    ];
  }

  /** Creates the chains and the jumps that are missing (daemon start; a few spawns, not on the hot path). */
  async install(networks: FirewallNetwork[], ports: FirewallPort[]): Promise<void> {
    const existing = { nat: await listRules('nat', this.family), filter: await listRules('filter', this.family) };
    const missing = this.jumps().filter((j) => !existing[j.table].includes(j.rule));
    const script = this.script(networks, ports);
    for (const j of missing) script.find((s) => s.table === j.table)!.rules.push(j.rule.replace(/^-A (\S+)/, '-I $1 1'));
    this.applied = null;
    await iptablesRestore(script, undefined, this.family);
    this.applied = JSON.stringify(this.script(networks, ports));
  }

  /**
   * Rewrites all chains from the model: one spawn, and none when the model
   * gives the rules last written (a container without published ports
   * starting or stopping on a known network: the common case, and the start
   * path should not pay ~20 ms of iptables-restore for nothing).
   */
  async apply(networks: FirewallNetwork[], ports: FirewallPort[]): Promise<void> {
    const script = this.script(networks, ports);
    const text = JSON.stringify(script);
    if (text === this.applied) return;
    this.applied = null; // unknown until the write succeeds
    await iptablesRestore(script, undefined, this.family);
    this.applied = text;
  }

  /** Removes the jumps and the chains (tests, and a daemon that stops using iptables). */
  async uninstall(): Promise<void> {
    this.applied = null;
    const ours = [this.dnat, this.postrouting, this.forward, this.isolation1, this.isolation2];
    const parts: TableScript[] = [];
    for (const table of ['nat', 'filter'] as const) {
      const rules = await listRules(table, this.family);
      const chains = rules.filter((l) => l.startsWith('-N ') && ours.includes(l.slice(3))).map((l) => l.slice(3));
      const jumps = rules.filter((l) => /^-A (PREROUTING|OUTPUT|POSTROUTING|FORWARD) /.test(l) && ours.some((c) => l.endsWith(`-j ${c}`)));
      parts.push({ table, rules: [...jumps.map((l) => l.replace(/^-A/, '-D')), ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`)] });
    }
    await iptablesRestore(parts, undefined, this.family);
  }

  /** A host route's suffix for one address of this family. */
  private get host(): string {
    return this.family === 6 ? '/128' : '/32';
  }

  script(networks: FirewallNetwork[], ports: FirewallPort[]): TableScript[] {
    return [
      { table: 'nat', chains: [this.dnat, this.postrouting], rules: [...this.dnatRules(ports), ...this.postroutingRules(networks, ports)] },
      { table: 'filter', chains: [this.forward, this.isolation1, this.isolation2], rules: [...this.forwardRules(networks, ports), ...this.isolationRules(networks)] },
    ];
  }

  private dnatRules(ports: FirewallPort[]): string[] {
    return ports.map((p) => {
      const dest = p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '' : `-d ${p.hostIp}${this.host} `;
      const to = this.family === 6 ? `[${p.containerIp}]:${p.containerPort}` : `${p.containerIp}:${p.containerPort}`;
      return `-A ${this.dnat} ${dest}! -i ${p.bridge} -p ${p.protocol} -m ${p.protocol} --dport ${p.hostPort} -j DNAT --to-destination ${to}`;
    });
  }

  private postroutingRules(networks: FirewallNetwork[], ports: FirewallPort[]): string[] {
    const out: string[] = [];
    for (const n of networks) {
      if (!n.internal && n.masquerade) out.push(`-A ${this.postrouting} -s ${n.subnet} ! -o ${n.bridge} -j MASQUERADE`);
      // Without the proxy, host-loopback traffic is DNATed too; its 127.x source must be rewritten.
      if (!this.loopbackViaProxy) out.push(`-A ${this.postrouting} -o ${n.bridge} -m addrtype --src-type LOCAL -j MASQUERADE`);
    }
    for (const p of ports) {
      out.push(`-A ${this.postrouting} -s ${p.containerIp}${this.host} -d ${p.containerIp}${this.host} -p ${p.protocol} -m ${p.protocol} --dport ${p.containerPort} -j MASQUERADE`);
    }
    return out;
  }

  private forwardRules(networks: FirewallNetwork[], ports: FirewallPort[]): string[] {
    const out = [`-A ${this.forward} -j ${this.isolation1}`];
    for (const p of ports) {
      out.push(`-A ${this.forward} -d ${p.containerIp}${this.host} ! -i ${p.bridge} -o ${p.bridge} -p ${p.protocol} -m ${p.protocol} --dport ${p.containerPort} -j ACCEPT`);
    }
    for (const n of networks) {
      out.push(`-A ${this.forward} -i ${n.bridge} -o ${n.bridge} -j ACCEPT`);
      if (n.internal) continue;
      out.push(
        `-A ${this.forward} -o ${n.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`,
        `-A ${this.forward} -i ${n.bridge} ! -o ${n.bridge} -j ACCEPT`,
      );
    }
    return out;
  }

  /** Docker's two-stage isolation: leaving one bridge for another is dropped; internal networks talk to nobody else. */
  private isolationRules(networks: FirewallNetwork[]): string[] {
    const out: string[] = [];
    for (const n of networks) {
      if (n.internal) {
        out.push(`-A ${this.isolation1} ! -s ${n.subnet} -o ${n.bridge} -j DROP`, `-A ${this.isolation1} ! -d ${n.subnet} -i ${n.bridge} -j DROP`);
      } else {
        out.push(`-A ${this.isolation1} -i ${n.bridge} ! -o ${n.bridge} -j ${this.isolation2}`);
      }
    }
    out.push(`-A ${this.isolation1} -j RETURN`);
    for (const n of networks) out.push(`-A ${this.isolation2} -o ${n.bridge} -j DROP`);
    out.push(`-A ${this.isolation2} -j RETURN`);
    return out;
  }
}

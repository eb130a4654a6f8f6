import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { conflict } from '../../lib/errors.js';
import type { PortRequest, Protocol, PublishedPort } from './ports.js';
import { relayTcp } from './tcp-relay.js';

/**
 * The userland proxy: one listener per published port, all inside berthd
 * (Docker runs one docker-proxy process per port). It serves what iptables
 * cannot: connections to the host's loopback addresses, which never pass
 * PREROUTING and are excluded from our OUTPUT DNAT. Binding the listener is
 * also how a port is reserved, so a port in use fails before any rule exists.
 * With the proxy disabled (--userland-proxy=false) the port is still bound, to
 * reserve it, but nothing is forwarded.
 */

const UDP_IDLE_MS = 90_000;

interface Listener {
  close(): Promise<void>;
}

export class UserlandProxy {
  private readonly listeners = new Map<string, Listener>();

  constructor(
    private readonly forward: boolean,
    private ephemeralRange: [number, number],
  ) {}

  /** From net.ipv4.ip_local_port_range, read at daemon start. */
  setEphemeralRange(range: [number, number]): void {
    this.ephemeralRange = range;
  }

  /**
   * Binds every request (all or nothing) and returns what was bound. IPv6
   * host addresses forward to the container's IPv6 address, or, as
   * docker-proxy does, to its IPv4 one when it has none (then only the proxy
   * serves them: there is no DNAT across families).
   */
  async publish(requests: PortRequest[], containerIp: string, containerIp6?: string): Promise<PublishedPort[]> {
    const done: PublishedPort[] = [];
    try {
      for (const request of requests) done.push(...(await this.bindOne(request, { v4: containerIp, v6: containerIp6 ?? containerIp })));
      return done;
    } catch (err) {
      await this.unpublish(done);
      throw err;
    }
  }

  async unpublish(ports: PublishedPort[]): Promise<void> {
    await Promise.all(ports.map(async (p) => {
      const key = listenerKey(p.protocol, p.hostIp, p.hostPort);
      const listener = this.listeners.get(key);
      this.listeners.delete(key);
      await listener?.close();
    }));
  }

  async closeAll(): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }

  /**
   * The first candidate port that binds; a request without a host address
   * binds 0.0.0.0 and :: on the same port (:: is skipped on a host without
   * IPv6, and a port whose :: is taken is not taken at all).
   */
  private async bindOne(request: PortRequest, containerIps: { v4: string; v6: string }): Promise<PublishedPort[]> {
    const candidates = request.hostPorts[0] === 0 ? this.ephemeralCandidates() : range(request.hostPorts);
    const dual = request.hostIp === '';
    for (const hostPort of candidates) {
      const at = (hostIp: string): PublishedPort => ({
        protocol: request.protocol, containerPort: request.containerPort, hostIp, hostPort, containerIp: hostIp.includes(':') ? containerIps.v6 : containerIps.v4,
      });
      const first = await this.bindPort(at(dual ? '0.0.0.0' : request.hostIp), []);
      if (!first || first === 'skipped') continue;
      if (!dual) return [first];
      const second = await this.bindPort(at('::'), ['EAFNOSUPPORT', 'EADDRNOTAVAIL']).catch(async (err) => {
        await this.unpublish([first]);
        throw err;
      });
      if (second === 'skipped') return [first];
      if (second) return [first, second];
      await this.unpublish([first]);
    }
    const wanted = request.hostPorts[0] === 0 ? '0' : request.hostPorts.join('-').replace(/^(\d+)-\1$/, '$1');
    throw conflict(`driver failed programming external connectivity: Bind for ${request.hostIp || '0.0.0.0'}:${wanted} failed: port is already allocated`);
  }

  /** Listens for one port: null when the port is taken, 'skipped' for an error code in `skip`. */
  private async bindPort(port: PublishedPort, skip: string[]): Promise<PublishedPort | null | 'skipped'> {
    const listener = await this.listen(port).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') return null;
      if (skip.includes(err.code ?? '')) return 'skipped' as const;
      throw err;
    });
    if (listener === null || listener === 'skipped') return listener;
    this.listeners.set(listenerKey(port.protocol, port.hostIp, port.hostPort), listener);
    return port;
  }

  /** Random ports of the ephemeral range, each tried once, at most 100 attempts. */
  private *ephemeralCandidates(): Generator<number> {
    const [lo, hi] = this.ephemeralRange;
    for (let i = 0; i < 100; i++) yield lo + Math.floor(Math.random() * (hi - lo + 1));
  }

  private listen(port: PublishedPort): Promise<Listener> {
    return port.protocol === 'tcp' ? this.listenTcp(port) : this.listenUdp(port);
  }

  private listenTcp(port: PublishedPort): Promise<Listener> {
    // allowHalfOpen: a client's shutdown(SHUT_WR) is passed on, not answered by closing (see relayTcp).
    const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
      if (!this.forward) return client.destroy();
      relayTcp(client, { host: port.containerIp, port: port.containerPort });
    });
    // After listening, an error (accept failing with EMFILE) must not take the daemon down: the connection is just lost.
    server.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // ipv6Only: a listener on :: must leave IPv4 to the one on 0.0.0.0 beside it.
      server.listen({ host: port.hostIp, port: port.hostPort, exclusive: true, ipv6Only: port.hostIp.includes(':') }, () => {
        server.off('error', reject);
        resolve({ close: () => new Promise<void>((done) => server.close(() => done())) });
      });
    });
  }

  private listenUdp(port: PublishedPort): Promise<Listener> {
    const socket = createSocket({ type: port.hostIp.includes(':') ? 'udp6' : 'udp4', ipv6Only: port.hostIp.includes(':') });
    const flows = new Map<string, { upstream: UdpSocket; connected: Promise<void>; timer?: NodeJS.Timeout }>();
    socket.on('message', (msg, from) => {
      if (!this.forward) return;
      const flowKey = `${from.address}:${from.port}`;
      let flow = flows.get(flowKey);
      if (!flow) {
        const upstream = createSocket(port.containerIp.includes(':') ? 'udp6' : 'udp4');
        const connected = new Promise<void>((done) => upstream.connect(port.containerPort, port.containerIp, () => done()));
        upstream.on('message', (reply) => sendQuietly(socket, reply, from.port, from.address));
        upstream.on('error', () => undefined);
        flow = { upstream, connected };
        flows.set(flowKey, flow);
      }
      const current = flow;
      clearTimeout(current.timer);
      current.timer = setTimeout(() => { current.upstream.close(); flows.delete(flowKey); }, UDP_IDLE_MS).unref();
      void current.connected.then(() => sendQuietly(current.upstream, msg));
    });
    socket.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: port.hostIp, port: port.hostPort, exclusive: true }, () => {
        socket.off('error', reject);
        resolve({
          close: async () => {
            for (const f of flows.values()) { clearTimeout(f.timer); f.upstream.close(); }
            flows.clear();
            await new Promise<void>((done) => socket.close(() => done()));
          },
        });
      });
    });
  }
}

function listenerKey(protocol: Protocol, hostIp: string, hostPort: number): string {
  return `${protocol}/${hostIp}/${hostPort}`;
}

function* range([start, end]: [number, number]): Generator<number> {
  for (let p = start; p <= end; p++) yield p;
}

/**
 * A datagram that cannot go (its socket closed meanwhile: the flow timed out
 * or the port was unpublished) is dropped, as UDP drops; send() would throw.
 */
function sendQuietly(socket: UdpSocket, msg: Buffer, port?: number, address?: string): void {
  try {
    if (port === undefined) socket.send(msg, () => undefined);
    else socket.send(msg, port, address, () => undefined);
  } catch {
    // ERR_SOCKET_DGRAM_NOT_RUNNING
  }
}

import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { buildAnswer, parseQuestion, RCODE_SERVFAIL, TYPE_A, TYPE_AAAA } from './dns-message.js';

/**
 * The embedded DNS server of one user-defined network. It listens (UDP and
 * TCP, port 53) on the network's gateway address, which is the bridge's own
 * address on the host: every container of the network reaches it without a
 * route, and berthd needs no foothold inside the containers' namespaces
 * (Docker's 127.0.0.11 needs a listener and NAT rules inside each netns,
 * which Node cannot set up without setns). Names of the network's containers
 * are answered here; everything else goes to the upstream resolvers.
 */

export interface DnsResolver {
  /** IPv4 (family 6: IPv6) addresses of a container name, alias or ID prefix on this network; [] when unknown. */
  lookup(name: string, family?: 4 | 6): string[];
  /** Where to forward a query from `clientIp` (the container's --dns, else the host's resolvers). */
  upstreams(clientIp: string): string[];
}

const FORWARD_TIMEOUT_MS = 3000;

export class EmbeddedDns {
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly tcpClients = new Set<Socket>();

  constructor(private readonly address: string, private readonly resolver: DnsResolver, private readonly port = 53) {}

  async start(): Promise<void> {
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg, from) => {
      // The socket may close (stop) while a forwarded query is out; a query that fails is just not answered, as UDP loses it.
      this.answer(msg, from.address).then((reply) => reply && udp.send(reply, from.port, from.address)).catch(() => undefined);
    });
    udp.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.port, this.address, () => { udp.off('error', reject); resolve(); });
    });
    this.udp = udp;
    const tcp = createServer((socket) => this.serveTcp(socket));
    tcp.on('error', () => undefined); // after listening: a failed accept loses that connection only
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.port, this.address, () => { tcp.off('error', reject); resolve(); });
    }).catch(async (err) => { await this.stop(); throw err; });
    this.tcp = tcp;
  }

  async stop(): Promise<void> {
    for (const c of this.tcpClients) c.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      udp && new Promise<void>((done) => udp.close(() => done())),
      tcp && new Promise<void>((done) => tcp.close(() => done())),
    ]);
  }

  /** Answers from our names, or forwards; null when there is nothing to say (malformed query). */
  async answer(query: Buffer, clientIp: string): Promise<Buffer | null> {
    const q = parseQuestion(query);
    if (!q) return null;
    const addresses = q.type === TYPE_A || q.type === TYPE_AAAA ? this.resolver.lookup(q.name) : [];
    // A known name without an IPv6 address gets an empty AAAA answer, not a forward.
    if (addresses.length > 0) return buildAnswer(query, q, q.type === TYPE_A ? addresses : this.resolver.lookup(q.name, 6));
    const reply = await forward(query, this.resolver.upstreams(clientIp));
    return reply ?? buildAnswer(query, q, [], RCODE_SERVFAIL);
  }

  private serveTcp(socket: Socket): void {
    this.tcpClients.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + query.length);
        this.answer(query, socket.remoteAddress ?? '').then((reply) => {
          if (!reply || socket.destroyed || socket.writableEnded) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([len, reply]));
        }).catch(() => socket.destroy());
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.tcpClients.delete(socket));
  }
}

/** Tries each upstream over UDP in turn; the first reply wins. */
async function forward(query: Buffer, upstreams: string[]): Promise<Buffer | null> {
  for (const server of upstreams) {
    const reply = await forwardOne(query, server).catch(() => null);
    if (reply) return reply;
  }
  return null;
}

function forwardOne(query: Buffer, server: string): Promise<Buffer | null> {
  const [host, portText] = server.includes(':') && !server.includes('::') ? server.split(':') : [server, '53'];
  const socket = createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(null), FORWARD_TIMEOUT_MS);
    let done = false;
    const finish = (value: Buffer | null) => {
      if (done) return; // a reply and an error, or a late one: close() twice would throw
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    socket.on('message', (msg) => finish(msg));
    socket.on('error', () => finish(null));
    socket.send(query, Number(portText), host!);
  });
}

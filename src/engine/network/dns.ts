import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { closeSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { buildAnswer, buildPtrAnswer, parseQuestion, RCODE_SERVFAIL, reverseIPv4, TYPE_A, TYPE_AAAA, TYPE_PTR, type Question } from './dns-message.js';

/**
 * The embedded DNS server of one container sandbox, as dockerd runs it: its
 * sockets live inside the container's netns on 127.0.0.11 (random ports,
 * which DNAT rules in that netns expose on port 53; see dns-sandbox.ts), so
 * every query comes from that one container and is answered with the names
 * it may see. Everything else is forwarded from the host's namespace to the
 * upstream resolvers, UDP over UDP and TCP over TCP (a truncated UDP answer
 * reaches the client as is, which then asks again over TCP, as with dockerd).
 */

export interface DnsResolver {
  /** IPv4 (family 6: IPv6) addresses of a name the asking container may see; [] when it is not ours. */
  lookup(name: string, family?: 4 | 6): string[];
  /** "name.network" of a container address the asking container may see; null when it is not ours. */
  reverse(ip: string): string | null;
  /** Where to forward (the container's --dns, else the host's resolvers); "ip" or "ip:port". */
  upstreams(): string[];
}

/** An fd to adopt (made in the container's netns), or an address to bind (tests). */
export type DnsListen = { fd: number } | { address: string; port: number };

const FORWARD_TIMEOUT_MS = 3000;
/** The largest UDP answer without EDNS (RFC 1035 4.2.1), and the header flag saying one was cut. */
const UDP_MAX = 512;
const FLAG_TC = 0x0200;

export class EmbeddedDns {
  private udp?: UdpSocket;
  private tcp?: Server;
  private readonly tcpClients = new Set<Socket>();

  constructor(private readonly resolver: DnsResolver) {}

  /** Serves on both sockets; on failure both are closed (an adopted fd with them). */
  async start(udpOn: DnsListen, tcpOn: DnsListen): Promise<void> {
    const udp = createSocket({ type: 'udp4' });
    udp.on('message', (msg, from) => {
      // Our own names are answered at once, without a trip through promises: this is the path every lookup of a container takes.
      const q = parseQuestion(msg);
      const local = q && this.localAnswer(msg, q, 'udp');
      if (local) {
        udp.send(local, from.port, from.address);
        return;
      }
      // The socket may close (stop) while a forwarded query is out; a query that fails is just not answered, as UDP loses it.
      this.answer(msg, 'udp').then((reply) => reply && udp.send(reply, from.port, from.address)).catch(() => undefined);
    });
    udp.on('error', () => undefined);
    this.udp = udp;
    const tcp = createServer((socket) => this.serveTcp(socket));
    tcp.on('error', () => undefined); // after listening: a failed accept loses that connection only
    this.tcp = tcp;
    let tcpAdopted = false;
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind('fd' in udpOn ? { fd: udpOn.fd } : { port: udpOn.port, address: udpOn.address }, () => { udp.off('error', reject); resolve(); });
      });
      tcpAdopted = true;
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen('fd' in tcpOn ? { fd: tcpOn.fd } : { port: tcpOn.port, host: tcpOn.address }, () => { tcp.off('error', reject); resolve(); });
      });
    } catch (err) {
      if (!tcpAdopted && 'fd' in tcpOn) closeSync(tcpOn.fd); // nobody else will
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    for (const c of this.tcpClients) c.destroy();
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    // close() on a socket that never got bound throws (dgram) or errors (net): it holds nothing then.
    await Promise.all([
      udp && new Promise<void>((done) => { try { udp.close(() => done()); } catch { done(); } }),
      tcp && new Promise<void>((done) => tcp.close(() => done())),
    ]);
  }

  /** The ports the sockets got (the DNAT rules point at them). */
  ports(): { udp: number; tcp: number } {
    const tcpAddress = this.tcp?.address();
    return { udp: this.udp?.address().port ?? 0, tcp: typeof tcpAddress === 'object' && tcpAddress ? tcpAddress.port : 0 };
  }

  /** Answers from our names, or forwards; null when there is nothing to say (malformed query). */
  async answer(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | null> {
    const q = parseQuestion(query);
    if (!q) return null;
    const local = this.localAnswer(query, q, transport);
    if (local) return local;
    const reply = await forward(query, this.resolver.upstreams(), transport);
    return reply ?? buildAnswer(query, q, [], RCODE_SERVFAIL);
  }

  /** The answer for a name of ours; null when the name is someone else's (to forward). */
  private localAnswer(query: Buffer, q: Question, transport: 'udp' | 'tcp'): Buffer | null {
    if (q.type === TYPE_PTR) {
      const ip = reverseIPv4(q.name);
      const target = ip && this.resolver.reverse(ip);
      return target ? buildPtrAnswer(query, q, target) : null;
    }
    const addresses = q.type === TYPE_A || q.type === TYPE_AAAA ? this.resolver.lookup(q.name) : [];
    if (addresses.length === 0) return null;
    // A name of ours without an IPv6 address gets an empty AAAA answer, not a forward.
    const records = q.type === TYPE_A ? addresses : this.resolver.lookup(q.name, 6);
    const reply = buildAnswer(query, q, records);
    if (transport === 'tcp' || reply.length <= UDP_MAX) return reply;
    // As many records as fit, flagged truncated: the client asks again over TCP and gets them all (dockerd's truncateResp).
    const fit = Math.floor((records.length * (UDP_MAX - q.end)) / (reply.length - q.end));
    const cut = buildAnswer(query, q, records.slice(0, fit));
    cut.writeUInt16BE(cut.readUInt16BE(2) | FLAG_TC, 2);
    return cut;
  }

  private serveTcp(socket: Socket): void {
    this.tcpClients.add(socket);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const query = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + query.length);
        this.answer(query, 'tcp').then((reply) => {
          if (!reply || socket.destroyed || socket.writableEnded) return;
          socket.write(withLength(reply));
        }).catch(() => socket.destroy());
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.tcpClients.delete(socket));
  }
}

/** Tries each upstream in turn over the client's transport; the first reply wins. */
async function forward(query: Buffer, upstreams: string[], transport: 'udp' | 'tcp'): Promise<Buffer | null> {
  for (const server of upstreams) {
    const [host, port] = splitServer(server);
    const reply = await (transport === 'udp' ? forwardUdp : forwardTcp)(query, host, port).catch(() => null);
    if (reply) return reply;
  }
  return null;
}

/** "1.2.3.4" or "1.2.3.4:5353" (tests); IPv6 literals keep their colons. */
function splitServer(server: string): [string, number] {
  const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(server);
  return m ? [m[1]!, Number(m[2])] : [server, 53];
}

/** A DNS message with the 2-byte length TCP puts in front (RFC 1035 4.2.2). */
function withLength(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** Runs `body` with a settle-once callback and a timeout; `cleanup` always runs once. */
function once<T>(body: (finish: (value: T | null) => void) => void, cleanup: () => void): Promise<T | null> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: T | null) => {
      if (done) return; // a reply and an error, or a late one: cleanup twice would throw
      done = true;
      clearTimeout(timer);
      cleanup();
      resolve(value);
    };
    const timer = setTimeout(() => finish(null), FORWARD_TIMEOUT_MS);
    body(finish);
  });
}

function forwardUdp(query: Buffer, host: string, port: number): Promise<Buffer | null> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return once<Buffer>((finish) => {
    socket.on('message', (msg) => finish(msg));
    socket.on('error', () => finish(null));
    socket.send(query, port, host);
  }, () => socket.close());
}

function forwardTcp(query: Buffer, host: string, port: number): Promise<Buffer | null> {
  const socket = connect({ host, port });
  return once<Buffer>((finish) => {
    let pending = Buffer.alloc(0);
    socket.on('connect', () => socket.write(withLength(query)));
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      if (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) finish(pending.subarray(2, 2 + pending.readUInt16BE(0)));
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  }, () => socket.destroy());
}

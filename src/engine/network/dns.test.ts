import { strict as assert } from 'node:assert';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildAnswer, buildQuery, parseAnswerAddresses, parseQuestion, RCODE_NXDOMAIN, TYPE_PTR } from './dns-message.js';
import { EmbeddedDns } from './dns.js';
import { resolverRules } from './dns-sandbox.js';

const TC = 0x0200;

function withLength(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

function askUdp(port: number, query: Buffer): Promise<Buffer> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.on('message', (m) => { s.close(); resolve(m); });
    s.send(query, port, '127.0.0.1');
  });
}

function askTcp(port: number, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const s = connect({ port, host: '127.0.0.1' }, () => s.write(withLength(query)));
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) { s.destroy(); resolve(got.subarray(2, 2 + got.readUInt16BE(0))); }
    });
    s.on('error', reject);
  });
}

/** A stand-in upstream on loopback: "cut.test" comes back truncated over UDP, whole over TCP; it notes each transport. */
class Upstream {
  readonly seen: string[] = [];
  private udp?: UdpSocket;
  private tcp?: Server;
  port = 0;

  async start(): Promise<void> {
    const udp = createSocket('udp4');
    udp.on('message', (m, from) => udp.send(this.reply(m, 'udp'), from.port, from.address));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    this.port = udp.address().port;
    const tcp = createServer((s) => s.once('data', (d: Buffer) => s.end(withLength(this.reply(d.subarray(2), 'tcp')))));
    await new Promise<void>((r) => tcp.listen(this.port, '127.0.0.1', r));
    this.udp = udp;
    this.tcp = tcp;
  }

  private reply(query: Buffer, transport: string): Buffer {
    const q = parseQuestion(query)!;
    if (!q.name.endsWith('.arpa')) this.seen.push(`${transport} ${q.name}`);
    if (q.name !== 'cut.test') return buildAnswer(query, q, [], RCODE_NXDOMAIN);
    if (transport === 'tcp') return buildAnswer(query, q, ['192.0.2.9']);
    const cut = buildAnswer(query, q, []);
    cut.writeUInt16BE(cut.readUInt16BE(2) | TC, 2);
    return cut;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.udp!.close(() => r()));
    await new Promise<void>((r) => this.tcp!.close(() => r()));
  }
}

describe('embedded DNS server', () => {
  const upstream = new Upstream();
  const many = Array.from({ length: 40 }, (_, i) => `10.0.0.${i + 2}`);
  const names: Record<string, string[]> = { web: ['10.0.0.7'], crowd: many };
  let upstreams: string[] = [];
  const server = new EmbeddedDns({ lookup: (n) => names[n] ?? [], reverse: (ip) => (ip === '10.0.0.7' ? 'Web.front' : null), upstreams: () => upstreams });
  let ports = { udp: 0, tcp: 0 };

  before(async () => {
    await upstream.start();
    await server.start({ address: '127.0.0.1', port: 0 }, { address: '127.0.0.1', port: 0 });
    ports = server.ports();
  });
  after(async () => {
    await server.stop();
    await upstream.stop();
  });

  it('answers its own names over UDP and TCP; a UDP answer too long is cut and flagged, TCP has them all', async () => {
    assert.deepEqual(parseAnswerAddresses(await askUdp(ports.udp, buildQuery(1, 'web'))), { rcode: 0, addresses: ['10.0.0.7'] });
    assert.deepEqual(parseAnswerAddresses(await askTcp(ports.tcp, buildQuery(2, 'web'))), { rcode: 0, addresses: ['10.0.0.7'] });
    const cut = await askUdp(ports.udp, buildQuery(3, 'crowd'));
    assert.ok(cut.length <= 512 && (cut.readUInt16BE(2) & TC) !== 0);
    assert.equal(parseAnswerAddresses(cut).addresses.length, Math.floor((512 - 12 - 11) / 16));
    assert.deepEqual(parseAnswerAddresses(await askTcp(ports.tcp, buildQuery(4, 'crowd'))).addresses, many);
  });

  it('forwards other names over the transport they came by; a truncated upstream answer reaches the client as is', async () => {
    upstreams = [`127.0.0.1:${upstream.port}`];
    assert.equal(parseAnswerAddresses(await askUdp(ports.udp, buildQuery(5, 'nope.test'))).rcode, RCODE_NXDOMAIN);
    const viaUdp = await askUdp(ports.udp, buildQuery(6, 'cut.test'));
    assert.ok((viaUdp.readUInt16BE(2) & TC) !== 0);
    assert.deepEqual(parseAnswerAddresses(await askTcp(ports.tcp, buildQuery(7, 'cut.test'))).addresses, ['192.0.2.9']);
    assert.deepEqual(upstream.seen, ['udp nope.test', 'udp cut.test', 'tcp cut.test']);
  });

  it('answers reverse lookups of its addresses with name.network, forwards the others', async () => {
    const reply = await askUdp(ports.udp, buildQuery(9, '7.0.0.10.in-addr.arpa', TYPE_PTR));
    assert.equal(reply.readUInt16BE(6), 1);
    assert.ok(reply.subarray(-11).equals(Buffer.from('\x03Web\x05front\x00', 'latin1')), reply.toString('hex'));
    upstreams = [`127.0.0.1:${upstream.port}`];
    assert.equal(parseAnswerAddresses(await askUdp(ports.udp, buildQuery(10, '8.0.0.10.in-addr.arpa', TYPE_PTR))).rcode, RCODE_NXDOMAIN);
  });

  it('says SERVFAIL when no upstream answers', async () => {
    upstreams = [];
    assert.equal(parseAnswerAddresses(await askUdp(ports.udp, buildQuery(8, 'nope.test'))).rcode, 2);
  });
});

describe('resolver NAT rules', () => {
  it('are dockerd\'s: DNAT 127.0.0.11:53 to the sockets\' ports, SNAT back to 53, jumps only in a new netns', () => {
    const rules = resolverRules({ udp: 40001, tcp: 40002 }, true);
    assert.ok(rules.includes('-A DOCKER_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 127.0.0.11:40001'));
    assert.ok(rules.includes('-A DOCKER_POSTROUTING -s 127.0.0.11/32 -p tcp -m tcp --sport 40002 -j SNAT --to-source :53'));
    assert.ok(rules.includes('-A OUTPUT -d 127.0.0.11/32 -j DOCKER_OUTPUT'));
    assert.ok(!resolverRules({ udp: 1, tcp: 2 }, false).some((r) => r.startsWith('-A OUTPUT') || r.startsWith('-A POSTROUTING')));
  });
});

/**
 * Processes for the DNS tests (tests block in spawnSync while containers ask,
 * so these cannot live in the test's own event loop):
 *   serve <address>       a stand-in upstream resolver, UDP and TCP on <address>:53.
 *                         Names under upstream.test get 192.0.2.<length of the first
 *                         label>, others NXDOMAIN. Prints "ready", then "<udp|tcp> <name>"
 *                         for each query.
 *   ask <udp|tcp> <name>  one A query to 127.0.0.11:53 (run it inside a container's
 *                         netns with nsenter); prints {"rcode":n,"addresses":[...]}.
 */
import { createSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';
import { buildAnswer, buildQuery, parseAnswerAddresses, parseQuestion, RCODE_NXDOMAIN, TYPE_A } from '../../src/engine/network/dns-message.js';


function reply(query: Buffer, transport: string): Buffer | null {
  const q = parseQuestion(query);
  if (!q) return null;
  process.stdout.write(`${transport} ${q.name}\n`);
  if (!q.name.endsWith('.upstream.test')) return buildAnswer(query, q, [], RCODE_NXDOMAIN);
  return buildAnswer(query, q, q.type === TYPE_A ? [`192.0.2.${q.name.split('.')[0]!.length}`] : []);
}

function withLength(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** Calls `each` with every whole length-prefixed message that arrives on a TCP socket. */
function onTcpMessages(socket: Socket, each: (msg: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
      each(pending.subarray(2, 2 + pending.readUInt16BE(0)));
      pending = pending.subarray(2 + pending.readUInt16BE(0));
    }
  });
  socket.on('error', () => undefined);
}

function serve(address: string): void {
  const udp = createSocket('udp4');
  udp.on('message', (msg, from) => {
    const out = reply(msg, 'udp');
    if (out) udp.send(out, from.port, from.address);
  });
  const tcp = createServer((socket) => onTcpMessages(socket, (msg) => {
    const out = reply(msg, 'tcp');
    if (out) socket.write(withLength(out));
  }));
  udp.bind(53, address, () => tcp.listen(53, address, () => process.stdout.write('ready\n')));
}

function ask(transport: string, name: string): void {
  const query = buildQuery(4242, name, TYPE_A);
  const done = (msg: Buffer) => {
    process.stdout.write(JSON.stringify(parseAnswerAddresses(msg)) + '\n');
    process.exit(0);
  };
  setTimeout(() => { process.stderr.write('no answer\n'); process.exit(1); }, 5000);
  if (transport === 'tcp') {
    const socket = connect({ host: '127.0.0.11', port: 53 }, () => socket.write(withLength(query)));
    onTcpMessages(socket, done);
  } else {
    const socket = createSocket('udp4');
    socket.on('message', done);
    socket.send(query, 53, '127.0.0.11');
  }
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'serve') serve(a!);
else ask(a!, b!);

/**
 * Just enough of the DNS wire format (RFC 1035) for the embedded server:
 * read the first question of a query and write an answer of A records.
 * Everything else is forwarded to upstream resolvers byte for byte.
 */

import { formatAddress, parseAddress } from './ipv6.js';

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
export const TYPE_PTR = 12;
const CLASS_IN = 1;
const FLAG_QR = 0x8000;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
export const RCODE_NXDOMAIN = 3;
export const RCODE_SERVFAIL = 2;

export interface Question {
  id: number;
  flags: number;
  /** Lower-case, without the trailing dot. */
  name: string;
  type: number;
  klass: number;
  /** Offset just past the question, so the question bytes can be echoed. */
  end: number;
}

/** The first question of a query, or null for anything malformed or not a query. */
export function parseQuestion(msg: Buffer): Question | null {
  if (msg.length < 12 || msg.readUInt16BE(4) < 1 || (msg.readUInt16BE(2) & FLAG_QR) !== 0) return null;
  const labels: string[] = [];
  let at = 12;
  while (at < msg.length) {
    const len = msg[at]!;
    if (len === 0) break;
    if (len > 63 || at + 1 + len > msg.length) return null;
    labels.push(msg.toString('latin1', at + 1, at + 1 + len));
    at += 1 + len;
  }
  if (at + 5 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(at + 1),
    klass: msg.readUInt16BE(at + 3),
    end: at + 5,
  };
}

/** An authoritative-style answer with the given addresses, A or AAAA by family (none: an empty NOERROR, or `rcode`). */
export function buildAnswer(query: Buffer, q: Question, addresses: string[], rcode = 0, ttl = 600): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  header.writeUInt16BE(FLAG_QR | (q.flags & FLAG_RD) | FLAG_RA | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const answers = addresses.map((ip) => {
    const { family, value } = parseAddress(ip);
    const length = family === 6 ? 16 : 4;
    const rr = Buffer.alloc(12 + length);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
    rr.writeUInt16BE(family === 6 ? TYPE_AAAA : TYPE_A, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(length, 10);
    for (let i = 0; i < length; i++) rr.writeUInt8(Number((value >> BigInt(8 * (length - 1 - i))) & 0xffn), 12 + i);
    return rr;
  });
  return Buffer.concat([header, query.subarray(12, q.end), ...answers]);
}

/** An answer with one PTR record naming `target` (a reverse lookup of a container's address). */
export function buildPtrAnswer(query: Buffer, q: Question, target: string, ttl = 600): Buffer {
  const answer = buildAnswer(query, q, []);
  answer.writeUInt16BE(1, 6);
  const rdata = encodeName(target);
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  rr.writeUInt16BE(TYPE_PTR, 2);
  rr.writeUInt16BE(CLASS_IN, 4);
  rr.writeUInt32BE(ttl, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([answer, rr, rdata]);
}

/** "a.b" → its wire form: length-prefixed labels and the root's zero. */
function encodeName(name: string): Buffer {
  const labels = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...labels, Buffer.from([0])]);
}

/** The IPv4 address of a reverse name ("4.3.2.1.in-addr.arpa" → "1.2.3.4"), or null. */
export function reverseIPv4(name: string): string | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(name);
  return m ? [m[4], m[3], m[2], m[1]].join('.') : null;
}

/** A query for `name` (used by tests and the forwarder's health checks). */
export function buildQuery(id: number, name: string, type = TYPE_A): Buffer {
  const parts = name.split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(FLAG_RD, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(type, 1);
  tail.writeUInt16BE(CLASS_IN, 3);
  return Buffer.concat([header, ...parts, tail]);
}

/** The A and AAAA records of an answer (tests). */
export function parseAnswerAddresses(msg: Buffer): { rcode: number; addresses: string[] } {
  const q = parseQuestion(Buffer.concat([msg.subarray(0, 2), Buffer.from([msg[2]! & 0x7f, msg[3]!]), msg.subarray(4)]));
  const rcode = msg.readUInt16BE(2) & 0xf;
  const addresses: string[] = [];
  if (!q) return { rcode, addresses };
  let at = q.end;
  for (let i = 0; i < msg.readUInt16BE(6) && at + 12 <= msg.length; i++) {
    at += (msg[at]! & 0xc0) === 0xc0 ? 2 : skipName(msg, at);
    const type = msg.readUInt16BE(at);
    const rdlen = msg.readUInt16BE(at + 8);
    if (type === TYPE_A && rdlen === 4) addresses.push([...msg.subarray(at + 10, at + 14)].join('.'));
    if (type === TYPE_AAAA && rdlen === 16) addresses.push(formatAddress(6, BigInt(`0x${msg.subarray(at + 10, at + 26).toString('hex')}`)));
    at += 10 + rdlen;
  }
  return { rcode, addresses };
}

function skipName(msg: Buffer, start: number): number {
  let at = start;
  while (msg[at] !== 0 && (msg[at]! & 0xc0) !== 0xc0) at += 1 + msg[at]!;
  return at - start + (msg[at] === 0 ? 1 : 2);
}

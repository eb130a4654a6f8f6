import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { dechunk, readUpgradeBody } from './upgrade-body.js';
import type { ApiRequest } from './request.js';

function upgraded(headers: Record<string, string>, head: string, socket = new PassThrough()): ApiRequest {
  return { raw: { headers }, upgrade: { socket, head: Buffer.from(head) } } as unknown as ApiRequest;
}

test('a chunked body is found whole, with what follows it left over', () => {
  const framed = dechunk(Buffer.from('4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\nstdin'));
  assert.equal(framed?.body.toString(), '{"a":1}');
  assert.equal(framed?.used, '4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'.length);
  assert.equal(dechunk(Buffer.from('4\r\n{"a"')), null, 'incomplete');
  assert.equal(dechunk(Buffer.from('0\r\n\r\n'))?.body.length, 0, 'an empty body (dockerode without options)');
});

test('the body of an upgrade request is read by Content-Length, from head and socket; the rest stays for the stream', async () => {
  const socket = new PassThrough();
  const req = upgraded({ 'content-length': '12' }, '{"Detach"', socket);
  setImmediate(() => socket.write(':1}more'));
  assert.equal((await readUpgradeBody(req)).toString(), '{"Detach":1}');
  assert.equal(req.upgrade!.head.toString(), 'more');
});

test('an upgrade request without a body leaves everything for the stream', async () => {
  const req = upgraded({}, 'typed');
  assert.equal((await readUpgradeBody(req)).length, 0);
  assert.equal(req.upgrade!.head.toString(), 'typed');
});

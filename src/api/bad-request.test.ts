import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goAnswerFor } from './bad-request.js';

const parseError = (code: string, raw = '') => Object.assign(new Error(code), { code, rawPacket: Buffer.from(raw) });

test("oversized headers: Go's 431", () => {
  assert.equal(goAnswerFor(parseError('HPE_HEADER_OVERFLOW')), '431 Request Header Fields Too Large');
});

test('a well-formed version other than 1.x is a 505 with Go\'s text; a malformed one a 400', () => {
  assert.equal(goAnswerFor(parseError('HPE_INVALID_VERSION', 'GET / HTTP/3.0\r\nHost: x\r\n')), '505 HTTP Version Not Supported: unsupported protocol version');
  assert.equal(goAnswerFor(parseError('HPE_INVALID_VERSION', 'GET / HTTP/x.y\r\n')), '400 Bad Request');
});

test('anything else the parser refuses is a 400; a peer that went away gets nothing', () => {
  assert.equal(goAnswerFor(parseError('HPE_INVALID_METHOD')), '400 Bad Request');
  assert.equal(goAnswerFor(parseError('HPE_INVALID_EOF_STATE')), '400 Bad Request');
  assert.equal(goAnswerFor(parseError('ECONNRESET')), undefined);
});

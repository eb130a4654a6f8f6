import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePaxXattrs } from './read.js';
import { encodeHeader } from './writer.js';

test('PAX records are written and parsed binary-safe', () => {
  const value = Buffer.from([0, 0xff, 0x0a, 0x3d]);
  const header = encodeHeader({ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, xattrs: new Map([['user.bin', value]]) });
  const paxSize = parseInt(header.subarray(124, 135).toString('latin1'), 8);
  const records = parsePaxXattrs(header.subarray(512, 512 + paxSize));
  assert.deepEqual(records.get('user.bin'), value);
});

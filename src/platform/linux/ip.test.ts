import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipCmd } from './ip.js';

test('IPv4 addresses get their broadcast, as dockerd\'s netlink gives them; /31, /32 and IPv6 do not', () => {
  assert.equal(ipCmd.addrAdd('172.18.0.2/16', 'eth0'), 'addr add 172.18.0.2/16 brd + dev eth0');
  assert.equal(ipCmd.addrAdd('10.0.0.1/31', 'eth0'), 'addr add 10.0.0.1/31 dev eth0');
  assert.equal(ipCmd.addrAdd('10.0.0.1/32', 'eth0'), 'addr add 10.0.0.1/32 dev eth0');
  assert.equal(ipCmd.addrAdd('fd00::2/64', 'eth0', { nodad: true }), 'addr add fd00::2/64 dev eth0 nodad');
});

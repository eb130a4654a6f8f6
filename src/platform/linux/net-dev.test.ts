import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netDevCounters, parseNetDev } from './net-dev.js';

test('parseNetDev reads receive and transmit counters, loopback left out', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:      10       1    0    0    0     0          0         0       10       1    0    0    0     0       0          0',
    '  eth0:     736       8    1    2    0     0          0         0      110       3    4    5    0     0       0          0',
  ].join('\n');
  assert.deepEqual(parseNetDev(text), {
    eth0: { rx_bytes: 736, rx_packets: 8, rx_errors: 1, rx_dropped: 2, tx_bytes: 110, tx_packets: 3, tx_errors: 4, tx_dropped: 5 },
  });
});

test('netDevCounters gives nothing for a process in our own network namespace', async () => {
  assert.deepEqual(await netDevCounters(process.pid), {});
});

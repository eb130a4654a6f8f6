import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary, StatsSample } from '../../../client/container-types.js';
import { commandCell, containerRow, imageCell, namesCell } from './ps-rows.js';
import { cpuPercent, memoryUsage, statsEntry, statsRow } from './stats-math.js';

test('COMMAND is cut at 20 runes and Go-quoted', () => {
  assert.equal(commandCell("sh -c 'echo out; echo err >&2'", true), '"sh -c \'echo out; ec…"');
  assert.equal(commandCell('sleep 300', true), '"sleep 300"');
  assert.equal(commandCell('a"b\tc', false), '"a\\"b\\tc"');
});

test('names and images as docker shows them', () => {
  assert.equal(namesCell(['/web', '/other/alias'], true), 'web');
  assert.equal(namesCell(['/web', '/other/alias'], false), 'web,other/alias');
  const c = { Image: 'sha256:4110e690555c7bfaf43e609d36c4730d571fa2c7b8978c90c04f05f7bd9ff7f3', ImageID: 'sha256:4110e690555c7bfaf43e609d36c4730d571fa2c7b8978c90c04f05f7bd9ff7f3' } as ContainerSummary;
  assert.equal(imageCell(c, true), '4110e690555c');
});

test('ps row passes the daemon STATUS through', () => {
  for (const status of ['Up 3 seconds', 'Exited (0) 2 minutes ago', 'Created', 'Up 2 minutes (Paused)', 'Up 5 seconds (healthy)', 'Restarting (1) 2 seconds ago']) {
    const row = containerRow({ Id: 'a'.repeat(64), Names: ['/x'], Image: 'busybox', ImageID: '', Command: 'sh', Created: 0, Ports: [], Labels: null, State: 'running', Status: status }, { trunc: true });
    assert.equal(row.Status, status);
    assert.equal(row.ID, 'aaaaaaaaaaaa');
  }
});

const sample: StatsSample = {
  read: '', preread: '', name: '/web', id: 'b'.repeat(64),
  cpu_stats: { cpu_usage: { total_usage: 400 }, system_cpu_usage: 2000, online_cpus: 2 },
  precpu_stats: { cpu_usage: { total_usage: 200 }, system_cpu_usage: 1000 },
  memory_stats: { usage: 10 * 1024 * 1024, limit: 100 * 1024 * 1024, stats: { inactive_file: 2 * 1024 * 1024 } },
  blkio_stats: { io_service_bytes_recursive: [{ major: 8, minor: 0, op: 'read', value: 1000 }, { major: 8, minor: 0, op: 'Write', value: 2000 }] },
  pids_stats: { current: 3 },
};

test('stats math follows docker', () => {
  assert.equal(cpuPercent(sample), 40);
  assert.equal(memoryUsage(sample), 8 * 1024 * 1024);
  assert.equal(memoryUsage({ ...sample, memory_stats: { usage: 100, stats: { total_inactive_file: 40 } } }), 60);
  const row = statsRow(statsEntry('web', sample), true);
  assert.deepEqual({ ...row }, {
    BlockIO: '1kB / 2kB', CPUPerc: '40.00%', Container: 'web', ID: 'bbbbbbbbbbbb', MemPerc: '8.00%', MemUsage: '8MiB / 100MiB', Name: 'web', NetIO: '0B / 0B', PIDs: '3',
  });
});

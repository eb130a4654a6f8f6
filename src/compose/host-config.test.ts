import assert from 'node:assert/strict';
import { test } from 'node:test';
import { devices, extraHosts, logConfig, resources, restartPolicy, ulimits } from './host-config.js';

test('deploy.restart_policy wins over restart, with compose v2\'s condition names', () => {
  assert.deepEqual(restartPolicy({ restart: 'always', deploy: { restart_policy: { condition: 'none' } } }), { Name: 'no', MaximumRetryCount: 0 });
  assert.deepEqual(restartPolicy({ deploy: { restart_policy: { condition: 'on-failure', max_attempts: 5 } } }), { Name: 'on-failure', MaximumRetryCount: 5 });
  assert.deepEqual(restartPolicy({ deploy: { restart_policy: {} } }), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(restartPolicy({ restart: 'on-failure:2' }), { Name: 'on-failure', MaximumRetryCount: 2 });
});

test('deploy.resources override the top-level limits', () => {
  const r = resources({ mem_limit: '1g', cpus: 2, pids_limit: 10, deploy: { resources: { limits: { memory: '64m', cpus: '0.25' }, reservations: { memory: 1024 } } } });
  assert.equal(r.Memory, 64 * 1024 * 1024);
  assert.equal(r.NanoCpus, 2.5e8);
  assert.equal(r.PidsLimit, 10);
  assert.equal(r.MemoryReservation, 1024);
});

test('ulimits, devices, logging and extra hosts in the engine\'s forms', () => {
  assert.deepEqual(ulimits({ nproc: 10, nofile: { soft: 1, hard: 2 } }), [{ Name: 'nofile', Soft: 1, Hard: 2 }, { Name: 'nproc', Soft: 10, Hard: 10 }]);
  assert.deepEqual(devices(['/dev/a', '/dev/b:/dev/c', '/dev/d:/dev/e:r']), [
    { PathOnHost: '/dev/a', PathInContainer: '/dev/a', CgroupPermissions: 'rwm' },
    { PathOnHost: '/dev/b', PathInContainer: '/dev/c', CgroupPermissions: 'rwm' },
    { PathOnHost: '/dev/d', PathInContainer: '/dev/e', CgroupPermissions: 'r' },
  ]);
  assert.throws(() => devices(['/a:/b:r:x']), /confusing device mapping/);
  assert.deepEqual(logConfig({ logging: { driver: 'none' } }), { Type: 'none', Config: {} });
  assert.equal(logConfig({}), undefined);
  assert.deepEqual(extraHosts({ a: '1.2.3.4', v6: '[::1]' }), ['a:1.2.3.4', 'v6:::1']);
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runtimeSpecOf, type StartContext } from './runtime-spec.js';
import type { Container, HostConfig } from './types.js';

function container(hostConfig: HostConfig, config: Partial<Container['config']> = {}): Container {
  return {
    id: 'c'.repeat(64), path: 'sh', args: [], config: { Hostname: 'h1', ...config }, hostConfig,
    hostnamePath: '/d/hostname', hostsPath: '/d/hosts', resolvConfPath: '/d/resolv.conf',
  } as unknown as Container;
}

const ctx = (over: Partial<StartContext> = {}): StartContext => ({
  rootfs: '/r', mounts: [], network: { namespace: 'new', env: [] }, user: { uid: 0, gid: 0, additionalGids: [0] }, home: '/root', ...over,
});

describe('runtimeSpecOf', () => {
  it("gives a private netns dockerd's sysctls, --sysctl winning; none for host or container:<x> networks", () => {
    const portStart = existsSync('/proc/sys/net/ipv4/ip_unprivileged_port_start') ? { 'net.ipv4.ip_unprivileged_port_start': '0' } : {};
    assert.deepEqual(runtimeSpecOf(container({ NetworkMode: 'none' }), ctx()).sysctls, { 'net.ipv4.ping_group_range': '0 2147483647', ...portStart });
    const own = runtimeSpecOf(container({ Sysctls: { 'net.ipv4.ping_group_range': '1 1' } }, { Domainname: 'd.test' }), ctx()).sysctls;
    assert.equal(own['net.ipv4.ping_group_range'], '1 1');
    assert.equal(own['kernel.domainname'], 'd.test', 'the domain name as dockerd sets it');
    assert.deepEqual(runtimeSpecOf(container({ NetworkMode: 'host' }), ctx({ network: { namespace: 'host', env: [] } })).sysctls, {});
    assert.deepEqual(runtimeSpecOf(container({ NetworkMode: 'container:x' }), ctx()).sysctls, {});
  });

  it('keeps a private UTS namespace and the hostname with --network host; only --uts host shares it', () => {
    const host = runtimeSpecOf(container({ NetworkMode: 'host' }), ctx({ network: { namespace: 'host', env: [] } }));
    assert.deepEqual([host.namespaces.uts, host.hostname], ['new', 'h1']);
    assert.equal(runtimeSpecOf(container({ UTSMode: 'host' }), ctx()).namespaces.uts, 'host');
  });

  it('sorts mounts by depth so that a volume at /etc comes before /etc/hosts', () => {
    const etcVolume = { destination: '/etc', type: 'bind', source: '/v', options: ['rbind'] };
    const deep = { destination: '/a/b/c/d', type: 'bind', source: '/w', options: ['rbind'] };
    const spec = runtimeSpecOf(container({}), ctx({ mounts: [deep, etcVolume] }));
    assert.deepEqual(spec.mounts.map((m) => m.destination), ['/etc', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts', '/a/b/c/d']);
  });

  it('passes --cgroup-parent, --device-cgroup-rule and joined namespaces through', () => {
    const spec = runtimeSpecOf(container({ CgroupParent: '/mine', DeviceCgroupRules: ['c 1:3 rwm'], PidMode: 'container:x', IpcMode: 'container:x' }), ctx({
      joined: { pid: { path: '/proc/7/ns/pid' }, ipc: { path: '/proc/7/ns/ipc' }, shmSource: '/x/mounts/shm' },
    }));
    assert.equal(spec.cgroupParent, '/mine');
    assert.deepEqual(spec.deviceCgroupRules, ['c 1:3 rwm']);
    assert.deepEqual([spec.namespaces.pid, spec.namespaces.ipc, spec.shmSource], [{ path: '/proc/7/ns/pid' }, { path: '/proc/7/ns/ipc' }, '/x/mounts/shm']);
    assert.equal(runtimeSpecOf(container({}), ctx()).cgroupParent, '/berth');
  });
});

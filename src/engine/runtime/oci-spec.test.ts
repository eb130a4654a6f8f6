import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildOciConfig, ociResources, type HostContext } from './oci-spec.js';
import { loadDefaultProfile, toOciSeccomp } from './seccomp.js';
import { toOciRlimits } from './rlimits.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, DEFAULT_SHM_SIZE, type RuntimeSpec } from './types.js';

function spec(over: Partial<RuntimeSpec> = {}): RuntimeSpec {
  return {
    id: 'c1',
    rootfs: '/r',
    readonlyRootfs: false,
    hostname: 'h',
    domainname: '',
    process: {
      args: ['sh'],
      env: ['PATH=/bin'],
      cwd: '/',
      user: { uid: 0, gid: 0, additionalGids: [] },
      terminal: false,
      noNewPrivileges: false,
      capabilities: [...DEFAULT_CAPABILITIES],
      rlimits: [],
    },
    mounts: [],
    privileged: false,
    seccomp: 'default',
    resources: {},
    namespaces: { network: 'new', pid: 'new', ipc: 'new', uts: 'new' },
    shmSize: DEFAULT_SHM_SIZE,
    sysctls: {},
    devices: [],
    annotations: {},
    ...over,
  };
}

async function host(): Promise<HostContext> {
  return {
    cgroupV2: false,
    hardLimits: new Map([['nofile', 20000]]),
    defaultSeccomp: (await loadDefaultProfile()) as unknown as Record<string, unknown>,
    mappedDevices: { devices: [], rules: [] },
    hostDevices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o660, uid: 0, gid: 6 }],
  };
}

const syscallNames = (cfg: { linux: { seccomp?: { syscalls: { names: string[]; action: string }[] } } }) =>
  new Set(cfg.linux.seccomp!.syscalls.filter((s) => s.action === 'SCMP_ACT_ALLOW').flatMap((s) => s.names));

describe('buildOciConfig', () => {
  it('gives a tty its console size from the start, and none to a process without a tty', async () => {
    const base = spec().process;
    const tty = buildOciConfig(spec({ process: { ...base, terminal: true, consoleSize: { height: 40, width: 90 } } }), await host());
    assert.deepEqual(tty.process.consoleSize, { height: 40, width: 90 });
    const plain = buildOciConfig(spec({ process: { ...base, consoleSize: { height: 40, width: 90 } } }), await host());
    assert.equal('consoleSize' in plain.process, false);
  });

  it("has Docker's defaults: 14 caps (not inheritable/ambient), masks, mounts, devices, cgroups path", async () => {
    const cfg = buildOciConfig(spec(), await host());
    assert.equal(cfg.process.capabilities.bounding.length, 14);
    assert.deepEqual(cfg.process.capabilities.effective, [...DEFAULT_CAPABILITIES]);
    assert.equal('inheritable' in cfg.process.capabilities, false);
    assert.ok(cfg.linux.maskedPaths!.includes('/proc/kcore'));
    assert.ok(cfg.linux.readonlyPaths!.includes('/proc/sysrq-trigger'));
    const byDest = new Map(cfg.mounts.map((m) => [m.destination, m]));
    assert.deepEqual(byDest.get('/dev/pts')!.options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
    assert.ok(byDest.get('/dev/shm')!.options.includes('size=67108864'));
    assert.ok(byDest.get('/sys')!.options.includes('ro'));
    assert.ok(byDest.has('/dev/mqueue') && byDest.has('/proc') && byDest.has('/sys/fs/cgroup'));
    assert.deepEqual(cfg.linux.resources.devices![0], { allow: false, access: 'rwm' });
    assert.equal(cfg.linux.cgroupsPath, '/berth/c1');
    assert.deepEqual(cfg.linux.namespaces.map((n) => n.type), ['mount', 'network', 'pid', 'ipc', 'uts']);
    assert.equal(cfg.hostname, 'h');
    assert.ok(cfg.linux.seccomp);
  });

  it('privileged: all caps, all devices, no masks, no seccomp, rw /sys', async () => {
    const cfg = buildOciConfig(spec({ privileged: true }), await host());
    assert.equal(cfg.process.capabilities.bounding.length, ALL_CAPABILITIES.length);
    assert.deepEqual(cfg.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.equal(cfg.linux.devices![0]!.path, '/dev/sda');
    assert.equal(cfg.linux.maskedPaths, undefined);
    assert.equal(cfg.linux.seccomp, undefined);
    assert.equal(cfg.mounts.find((m) => m.destination === '/sys')!.options.includes('ro'), false);
  });

  it('host namespaces are left out; no hostname with the host UTS; joined ones carry a path', async () => {
    const cfg = buildOciConfig(spec({ namespaces: { network: 'host', pid: { path: '/proc/1/ns/pid' }, ipc: 'host', uts: 'host' } }), await host());
    assert.deepEqual(cfg.linux.namespaces, [{ type: 'mount' }, { type: 'pid', path: '/proc/1/ns/pid' }]);
    assert.equal(cfg.hostname, undefined);
    assert.equal(cfg.mounts.find((m) => m.destination === '/dev/shm')!.type, 'bind');
  });

  it('a joined IPC namespace binds its /dev/shm; /dev/mqueue is always a new mqueue mount (no host /dev/mqueue needed)', async () => {
    const cfg = buildOciConfig(spec({ namespaces: { network: 'new', pid: 'new', ipc: { path: '/proc/9/ns/ipc' }, uts: 'new' }, shmSource: '/d/mounts/shm' }), await host());
    assert.deepEqual(cfg.mounts.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/d/mounts/shm', options: ['rbind', 'rprivate'] });
    const hostIpc = buildOciConfig(spec({ namespaces: { network: 'new', pid: 'new', ipc: 'host', uts: 'new' } }), await host());
    assert.equal(hostIpc.mounts.find((m) => m.destination === '/dev/mqueue')!.type, 'mqueue');
    assert.equal(hostIpc.mounts.find((m) => m.destination === '/dev/shm')!.source, '/dev/shm');
  });

  it('--cgroup-parent and --device-cgroup-rule reach the spec; a bad rule gets dockerd\'s error', async () => {
    const h = await host();
    const cfg = buildOciConfig(spec({ cgroupParent: '/mine/', deviceCgroupRules: ['c 1:3 rwm', 'b 7:* r', 'a *:* m'] }), h);
    assert.equal(cfg.linux.cgroupsPath, '/mine/c1');
    assert.deepEqual(cfg.linux.resources.devices!.slice(-3), [
      { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
      { allow: true, type: 'b', major: 7, minor: -1, access: 'r' },
      { allow: true, type: 'a', major: -1, minor: -1, access: 'm' },
    ]);
    assert.throws(() => buildOciConfig(spec({ deviceCgroupRules: ['c 1:3'] }), h), { message: "invalid device cgroup rule format: 'c 1:3'" });
  });

  it('caller mounts replace defaults at the same destination; --init is mounted and prepended', async () => {
    const cfg = buildOciConfig(
      spec({ init: '/usr/bin/tini', mounts: [{ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['size=1k'] }] }),
      await host(),
    );
    assert.deepEqual(cfg.mounts.filter((m) => m.destination === '/dev/shm').map((m) => m.options), [['size=1k']]);
    assert.deepEqual(cfg.process.args, ['/sbin/docker-init', '--', 'sh']);
    assert.equal(cfg.mounts.find((m) => m.destination === '/sbin/docker-init')!.source, '/usr/bin/tini');
  });

  it('resources map to OCI; pids -1 is unlimited', () => {
    assert.deepEqual(ociResources({ memory: 1024, memorySwap: -1, cpuShares: 512, cpuQuota: 50000, cpuPeriod: 100000, cpusetCpus: '0', pidsLimit: -1, oomKillDisable: true }), {
      memory: { limit: 1024, swap: -1, disableOOMKiller: true },
      cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0' },
      pids: { limit: -1 },
    });
  });

  it('refuses an empty command and a relative working directory', async () => {
    assert.throws(() => buildOciConfig(spec({ process: { ...spec().process, args: [] } }), {} as HostContext), { kind: 'invalid' });
    const h = await host();
    assert.throws(() => buildOciConfig(spec({ process: { ...spec().process, cwd: 'tmp' } }), h), /needs to be an absolute path/);
  });
});

describe('seccomp conversion', () => {
  it('filters the default profile by capabilities, as moby does', async () => {
    const profile = (await loadDefaultProfile()) as unknown as Record<string, unknown>;
    const plain = syscallNames({ linux: { seccomp: toOciSeccomp(profile, DEFAULT_CAPABILITIES, { arch: 'amd64', kernel: [6, 1] }) } });
    const admin = syscallNames({ linux: { seccomp: toOciSeccomp(profile, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], { arch: 'amd64', kernel: [6, 1] }) } });
    assert.ok(plain.has('read') && plain.has('clone'));
    assert.equal(plain.has('mount'), false);
    assert.ok(admin.has('mount') && admin.has('unshare'));
    assert.equal(plain.has('arch_prctl'), true, 'amd64-only syscall kept on amd64');
    assert.equal(plain.has('s390_runtime_instr'), false, 's390 syscalls dropped');
  });

  it('uses the host architecture and its sub-architectures', async () => {
    const profile = (await loadDefaultProfile()) as unknown as Record<string, unknown>;
    assert.deepEqual(toOciSeccomp(profile, [], { arch: 'amd64', kernel: [6, 1] }).architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
    assert.equal(toOciSeccomp(profile, [], { arch: 'amd64', kernel: [6, 1] }).defaultErrnoRet, 1);
  });

  it('refuses a profile without defaultAction', () => {
    assert.throws(() => toOciSeccomp({ syscalls: [] }, []), { kind: 'invalid' });
  });
});

describe('rlimits', () => {
  it('converts names and refuses values above the hard limit', () => {
    const hard = new Map([['nofile', 20000]]);
    assert.deepEqual(toOciRlimits([{ name: 'nofile', soft: 1024, hard: 2048 }], hard), [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }]);
    assert.throws(() => toOciRlimits([{ name: 'nofile', soft: 1, hard: 20001 }], hard), /exceeds the daemon's hard limit for nofile \(20000\)/);
    assert.throws(() => toOciRlimits([{ name: 'bogus', soft: 1, hard: 1 }], hard), /invalid ulimit type/);
    assert.throws(() => toOciRlimits([{ name: 'nofile', soft: 3, hard: 2 }], hard), /soft limit must be less than or equal/);
  });
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, chownSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notFound } from '../../lib/errors.js';
import { unmount } from '../../platform/linux/mount.js';
import { LocalVolumeService } from './store.js';
import { LocalMountPlanner } from './planner.js';
import { copyUp } from './copyup.js';
import { prepareMountPoint } from './mountpoint.js';
import { mergeTmpfsOptions } from './oci-mounts.js';
import { ANONYMOUS_LABEL, type PlanInput, type PlannedMount } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-planner-'));
after(() => {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
    const point = line.split(' ')[4];
    if (point?.startsWith(dir)) unmount(point);
  }
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function setup() {
  const base = join(dir, `case${++counter}`);
  mkdirSync(base, { recursive: true });
  const volumes = new LocalVolumeService(join(base, 'volumes'));
  return { base, volumes, planner: new LocalMountPlanner(volumes) };
}

function input(over: Partial<PlanInput>): PlanInput {
  return { containerId: 'c1', binds: [], mounts: [], tmpfs: {}, volumesFrom: [], configVolumes: {}, lookupContainer: async (name) => { throw notFound(`No such container: ${name}`); }, ...over };
}

test('plan: Mounts as docker inspect shows them, volumes created and used', async () => {
  const { base, volumes, planner } = setup();
  const hostDir = join(base, 'host');
  mkdirSync(hostDir);
  const { mounts, warnings } = await planner.plan(
    input({
      binds: ['named:/data', `${hostDir}:/srv:ro,z`, 'ro1:/ro:ro'],
      mounts: [{ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 2 ** 20 } }, { Type: 'volume', Target: '/anon2' }],
      tmpfs: { '/run': 'size=64k' },
      configVolumes: { '/data': {}, '/var/cache': {} },
    }),
  );
  const named = await volumes.inspect('named');
  const byDest = new Map(mounts.map((m) => [m.point.Destination, m]));
  assert.deepEqual(byDest.get('/data')!.point, { Type: 'volume', Name: 'named', Source: named.Mountpoint, Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
  assert.deepEqual(Object.keys(byDest.get('/data')!.point), ['Type', 'Name', 'Source', 'Destination', 'Driver', 'Mode', 'RW', 'Propagation']);
  assert.deepEqual(byDest.get('/srv')!.point, { Type: 'bind', Source: hostDir, Destination: '/srv', Mode: 'ro,z', RW: false, Propagation: 'rprivate' });
  assert.equal(byDest.get('/ro')!.point.Mode, 'ro');
  assert.deepEqual(byDest.get('/scratch')!.point, { Type: 'tmpfs', Source: '', Destination: '/scratch', Mode: '', RW: true, Propagation: '' });
  assert.equal(byDest.get('/run')!.inspect, false);
  // The image's /data is covered by the named volume; /var/cache gets an anonymous one, with Mode ''.
  const cache = byDest.get('/var/cache')!.point;
  assert.match(cache.Name!, /^[0-9a-f]{64}$/);
  assert.equal(cache.Mode, '');
  assert.equal(byDest.get('/anon2')!.point.Mode, '');
  assert.deepEqual((await volumes.inspect(cache.Name!)).Labels, { [ANONYMOUS_LABEL]: '' });
  assert.equal(byDest.get('/data')!.copyData, true);
  assert.equal(mounts.length, 7);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /:z\/:Z/);
  assert.deepEqual(volumes.usersOf('named'), ['c1']);
  assert.deepEqual(volumes.usersOf(cache.Name!), ['c1']);
});

test('plan: duplicate mount points, and errors create nothing in use', async () => {
  const { volumes, planner } = setup();
  await assert.rejects(planner.plan(input({ binds: ['a1:/data', 'b1:/data/'] })), { kind: 'invalid', message: 'Duplicate mount point: /data' });
  await assert.rejects(planner.plan(input({ binds: ['a1:/run'], tmpfs: { '/run': '' } })), { message: 'Duplicate mount point: /run' });
  await assert.rejects(planner.plan(input({ binds: ['a1:/x'], mounts: [{ Type: 'volume', Source: 'b1', Target: '/x' }] })), { message: 'Duplicate mount point: /x' });
  await assert.rejects(planner.plan(input({ configVolumes: { '/a/../../etc': {} } })), { kind: 'invalid' });
  await assert.rejects(planner.plan(input({ binds: ['bad!name:/x'] })), { kind: 'invalid', message: /^create bad!name: "bad!name" includes invalid characters/ });
  assert.deepEqual((await volumes.list(new Map())).Volumes, []);
  await assert.rejects(planner.plan(input({ volumesFrom: ['ghost'] })), { kind: 'notFound', message: 'No such container: ghost' });
});

test('plan: --volumes-from lends mounts (read-only if asked), own binds override, chains keep working', async () => {
  const { base, volumes, planner } = setup();
  const hostDir = join(base, 'h');
  mkdirSync(hostDir);
  const data = await planner.plan(input({ containerId: 'data', binds: ['shared:/shared', `${hostDir}:/h`], configVolumes: { '/anon': {} }, tmpfs: { '/tmp': '' } }));
  const records = new Map<string, readonly PlannedMount[]>([['data', data.mounts]]);
  const lookupContainer = async (name: string) => records.get(name) ?? Promise.reject(notFound(`No such container: ${name}`));
  const second = await planner.plan(input({ containerId: 'second', volumesFrom: ['data:ro'], binds: [`${hostDir}:/anon`], lookupContainer }));
  const points = new Map(second.mounts.map((m) => [m.point.Destination, m.point]));
  assert.deepEqual([...points.keys()].sort(), ['/anon', '/h', '/shared']);
  assert.equal(points.get('/shared')!.RW, false);
  assert.equal(points.get('/shared')!.Mode, '');
  assert.equal(points.get('/anon')!.Type, 'bind');
  records.set('second', second.mounts);
  const third = await planner.plan(input({ containerId: 'third', volumesFrom: ['second'], lookupContainer }));
  assert.equal(third.mounts.find((m) => m.point.Destination === '/shared')!.point.RW, false);
  assert.deepEqual(volumes.usersOf('shared').sort(), ['data', 'second', 'third']);
  // rm -v of the data container removes its anonymous volume (used by nobody else), never a named one.
  const anonName = data.mounts.find((m) => m.point.Destination === '/anon')!.point.Name!;
  await planner.release('data', data.mounts, { removeAnonymous: true });
  await assert.rejects(volumes.inspect(anonName), { kind: 'notFound' });
  await volumes.inspect('shared'); // named volumes are never removed by rm -v
  assert.deepEqual(volumes.usersOf('shared').sort(), ['second', 'third']);
});

test('setup: OCI mounts in depth order, volumes copied up, bind sources made, teardown unmounts', async () => {
  const { base, volumes, planner } = setup();
  const rootfs = join(base, 'rootfs');
  mkdirSync(join(rootfs, 'data', 'nested'), { recursive: true });
  writeFileSync(join(rootfs, 'data', 'from-image'), 'image content');
  const hostFile = join(base, 'file.conf');
  writeFileSync(hostFile, 'conf');
  const missingHost = join(base, 'made', 'by', 'v');
  const { mounts } = await planner.plan(
    input({
      binds: ['vol:/data', `${missingHost}:/opt/x`, `${hostFile}:/etc/app.conf:ro`, 'nc:/data/sub:nocopy'],
      mounts: [{ Type: 'volume', Source: 'fast', Target: '/fast', VolumeOptions: { DriverConfig: { Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } } } }],
      tmpfs: { '/run': 'size=64k,exec' },
    }),
  );
  const oci = await planner.setup('c1', mounts, rootfs);
  const vol = await volumes.inspect('vol');
  assert.deepEqual(oci.map((m) => m.destination), ['/data', '/fast', '/run', '/opt/x', '/etc/app.conf', '/data/sub']);
  assert.deepEqual(oci[0], { destination: '/data', type: 'bind', source: vol.Mountpoint, options: ['rbind', 'rprivate'] });
  assert.deepEqual(oci.find((m) => m.destination === '/etc/app.conf')!.options, ['rbind', 'rprivate', 'ro']);
  assert.deepEqual(oci.find((m) => m.destination === '/run'), { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'rprivate', 'size=64k', 'exec'] });
  assert.equal(readFileSync(join(vol.Mountpoint, 'from-image'), 'utf8'), 'image content');
  assert.equal(statSync(missingHost).isDirectory(), true);
  assert.equal(statSync(join(rootfs, 'opt', 'x')).isDirectory(), true);
  assert.equal(statSync(join(rootfs, 'etc', 'app.conf')).isFile(), true);
  assert.deepEqual(readdirSync((await volumes.inspect('nc')).Mountpoint), []);
  // The nested mount point is left for runc to make inside the volume, not in the image's /data.
  assert.equal(existsSync(join(rootfs, 'data', 'sub')), false);
  const fast = await volumes.inspect('fast');
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(fast.Mountpoint), true);
  await planner.teardown('c1', mounts);
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(fast.Mountpoint), false);
});

test('setup: a missing --mount bind source at start is an error and undoes the volume mounts', async () => {
  const { base, volumes, planner } = setup();
  const rootfs = join(base, 'rootfs');
  mkdirSync(rootfs);
  const src = join(base, 'src');
  mkdirSync(src);
  const fast = await volumes.create({ name: 'fast2', options: { type: 'tmpfs', device: 'tmpfs' } });
  const { mounts } = await planner.plan(
    input({ binds: ['fast2:/fast'], mounts: [{ Type: 'bind', Source: src, Target: '/b' }] }),
  );
  await assert.rejects(volumes.remove('fast2', { force: false }), { kind: 'conflict' });
  rmSync(src, { recursive: true });
  await assert.rejects(planner.setup('c1', mounts, rootfs), { message: `invalid mount config for type "bind": bind source path does not exist: ${src}` });
  // The tmpfs mounted for the first mount is unmounted again, and the volume can be removed once released.
  assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(fast.Mountpoint), false);
  await planner.release('c1', mounts, { removeAnonymous: false });
  await volumes.remove('fast2', { force: false });
});

test('tmpfs options merge as Docker: later flags and keys win', () => {
  assert.deepEqual(mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'rprivate', 'exec', 'size=1m', 'size=2m']), ['nosuid', 'nodev', 'rprivate', 'exec', 'size=2m']);
});

test('copy-up keeps owners, modes and symlinks, and never copies what a symlink points at outside', async () => {
  const base = join(dir, 'copyup');
  const rootfs = join(base, 'rootfs');
  const secret = join(base, 'host-secret');
  mkdirSync(join(rootfs, 'app', 'sub'), { recursive: true });
  mkdirSync(secret, { recursive: true });
  writeFileSync(join(secret, 'shadow'), 'host only');
  writeFileSync(join(rootfs, 'app', 'sub', 'f'), 'x');
  chownSync(join(rootfs, 'app', 'sub', 'f'), 1234, 5678);
  chmodSync(join(rootfs, 'app', 'sub', 'f'), 0o640);
  chownSync(join(rootfs, 'app'), 33, 33);
  chmodSync(join(rootfs, 'app'), 0o750);
  symlinkSync(secret, join(rootfs, 'app', 'escape'));
  symlinkSync('../../../../..', join(rootfs, 'app', 'up'));
  const volumeDir = join(base, 'vol');
  mkdirSync(volumeDir);
  assert.equal(await copyUp(rootfs, '/app', volumeDir), true);
  assert.equal(readlinkSync(join(volumeDir, 'escape')), secret);
  assert.equal(lstatSync(join(volumeDir, 'escape')).isSymbolicLink(), true);
  assert.equal(lstatSync(join(volumeDir, 'up')).isSymbolicLink(), true);
  assert.equal(existsSync(join(volumeDir, 'shadow')), false);
  const f = statSync(join(volumeDir, 'sub', 'f'));
  assert.deepEqual([f.uid, f.gid, f.mode & 0o7777], [1234, 5678, 0o640]);
  const root = statSync(volumeDir);
  assert.deepEqual([root.uid, root.gid, root.mode & 0o7777], [33, 33, 0o750]);
  // A volume that already has content is left alone.
  assert.equal(await copyUp(rootfs, '/app', volumeDir), false);
});

test('copy-up through a hostile symlink reads the rootfs, not the host', async () => {
  const base = join(dir, 'copyup-hostile');
  const rootfs = join(base, 'rootfs');
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  writeFileSync(join(rootfs, 'etc', 'image-file'), 'inside');
  symlinkSync('/etc', join(rootfs, 'data')); // absolute: the container's /etc, never the host's
  const volumeDir = join(base, 'vol');
  mkdirSync(volumeDir);
  assert.equal(await copyUp(rootfs, '/data', volumeDir), true);
  assert.deepEqual(readdirSync(volumeDir), ['image-file']);
  assert.equal(await copyUp(rootfs, '/missing', join(base, 'vol')), false);
});

test('mount points are made inside the rootfs even through hostile symlinks', async () => {
  const base = join(dir, 'mountpoint');
  const rootfs = join(base, 'rootfs');
  const outside = join(base, 'outside');
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(rootfs, 'abs')); // absolute link to a host path
  symlinkSync('../../../outside', join(rootfs, 'rel')); // relative link climbing out
  const a = await prepareMountPoint(rootfs, '/abs/x/y', 'dir');
  assert.equal(a.destination, `${outside}/x/y`);
  assert.equal(a.hostPath, join(rootfs, outside, 'x', 'y'));
  assert.equal(statSync(a.hostPath).isDirectory(), true);
  const b = await prepareMountPoint(rootfs, '/rel/conf', 'file');
  assert.equal(b.destination, '/outside/conf');
  assert.equal(statSync(join(rootfs, 'outside', 'conf')).isFile(), true);
  assert.deepEqual(readdirSync(outside), []);
  symlinkSync('/etc/passwd', join(rootfs, 'passwd-link'));
  const c = await prepareMountPoint(rootfs, '/passwd-link', 'file');
  assert.equal(c.destination, '/etc/passwd');
  assert.equal(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8'), '');
  await assert.rejects(prepareMountPoint(rootfs, '/..', 'dir'), { kind: 'invalid' });
});

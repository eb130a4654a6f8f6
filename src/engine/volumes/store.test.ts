import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent, EventBus } from '../events/types.js';
import { isMountPoint, unmount } from '../../platform/linux/mount.js';
import { filesystemName } from '../../platform/linux/sys.js';
import { LocalVolumeService } from './store.js';
import { validateVolumeName } from './names.js';
import { ANONYMOUS_LABEL } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-volumes-'));
after(() => {
  // Undo every mount a failed test may have left, innermost first, before deleting anything.
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n').reverse()) {
    const point = line.split(' ')[4];
    if (point?.startsWith(dir)) unmount(point);
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Records events (the real bus is another area's implementation, which this area must not import). */
class RecordingBus implements EventBus {
  private readonly events: EngineEvent[] = [];
  publish(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): void {
    this.events.push({ Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local', time: 0, timeNano: 0 });
  }
  subscribe(): () => void {
    return () => undefined;
  }
  recent(): EngineEvent[] {
    return [...this.events];
  }
}

let counter = 0;
function service(): { volumes: LocalVolumeService; events: RecordingBus; root: string } {
  const root = join(dir, `root${++counter}`);
  const events = new RecordingBus();
  return { volumes: new LocalVolumeService(root, events), events, root };
}
const filters = (entries: Record<string, string[]> = {}) => new Map(Object.entries(entries));

test('volume names follow Docker\'s rule and message', () => {
  for (const ok of ['ab', 'a1', 'my_vol.1-x', '0abc']) validateVolumeName(ok);
  assert.throws(() => validateVolumeName('a'), { message: 'create a: volume name is too short, names should be at least two alphanumeric characters' });
  assert.throws(() => validateVolumeName('../x'), {
    message:
      'create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
  });
  for (const bad of ['_ab', '.ab', 'a/b', 'a b', '-ab']) assert.throws(() => validateVolumeName(bad), { name: 'EngineError' });
});

test('create, inspect, list and remove', async () => {
  const { volumes, events, root } = service();
  const made = await volumes.create({ name: 'data1', labels: { a: 'b' }, options: {} });
  assert.deepEqual(Object.keys(made), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  assert.equal(made.Mountpoint, join(root, 'data1', '_data'));
  assert.match(made.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
  assert.deepEqual(made.Labels, { a: 'b' });
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'data1', 'meta.json'), 'utf8')).Driver, 'local');
  assert.deepEqual(await volumes.inspect('data1'), made);
  // Creating an existing name hands back the volume as it is.
  assert.deepEqual(await volumes.create({ name: 'data1', labels: { other: '1' } }), made);
  const anon = await volumes.create({});
  assert.match(anon.Name, /^[0-9a-f]{64}$/);
  assert.deepEqual(anon.Labels, { [ANONYMOUS_LABEL]: '' });
  assert.equal(anon.Options, null);
  assert.equal(await volumes.isAnonymous(anon.Name), true);
  assert.equal(await volumes.isAnonymous('data1'), false);
  assert.deepEqual((await volumes.list(filters())).Volumes.map((v) => v.Name).sort(), [anon.Name, 'data1'].sort());
  await volumes.remove('data1', { force: false });
  assert.equal(existsSync(join(root, 'data1')), false);
  await assert.rejects(volumes.inspect('data1'), { kind: 'notFound', message: 'get data1: no such volume' });
  await assert.rejects(volumes.remove('data1', { force: false }), { kind: 'notFound' });
  await volumes.remove('data1', { force: true });
  assert.deepEqual(
    events.recent().map((e) => `${e.Action} ${e.Actor.ID === anon.Name ? 'anon' : e.Actor.ID}`),
    ['create data1', 'create anon', 'destroy data1'],
  );
});

test('create refuses bad names, drivers and options', async () => {
  const { volumes } = service();
  await assert.rejects(volumes.create({ name: 'x' }), { kind: 'invalid', message: /too short/ });
  await assert.rejects(volumes.create({ name: 'ab', driver: 'nfs' }), { kind: 'notFound', message: /plugin "nfs" not found/ });
  await assert.rejects(volumes.create({ name: 'ab', options: { foo: '1' } }), { message: 'create ab: invalid option: "foo"' });
  await assert.rejects(volumes.create({ name: 'ab', options: { type: 'tmpfs' } }), { message: 'create ab: missing required option: "device"' });
  await assert.rejects(volumes.create({ name: 'ab', options: { o: 'size=1m', device: 'tmpfs' } }), { message: /missing required option: "type"/ });
  await assert.rejects(volumes.inspect('../../etc'), { kind: 'notFound' });
});

test('list filters: dangling, name, label, driver', async () => {
  const { volumes } = service();
  await volumes.create({ name: 'alpha', labels: { tier: 'db', keep: '' } });
  await volumes.create({ name: 'beta', labels: { tier: 'web' } });
  volumes.attach('beta', 'c1');
  const names = async (f: Record<string, string[]>) => (await volumes.list(filters(f))).Volumes.map((v) => v.Name);
  assert.deepEqual(await names({ dangling: ['true'] }), ['alpha']);
  assert.deepEqual(await names({ dangling: ['0'] }), ['beta']);
  assert.deepEqual(await names({ name: ['alp'] }), ['alpha']);
  assert.deepEqual(await names({ name: ['^b'] }), ['beta']);
  assert.deepEqual(await names({ label: ['tier=web'] }), ['beta']);
  assert.deepEqual(await names({ label: ['keep'] }), ['alpha']);
  assert.deepEqual(await names({ driver: ['local'] }), ['alpha', 'beta']);
  assert.deepEqual(await names({ driver: ['nfs'] }), []);
  await assert.rejects(volumes.list(filters({ colour: ['x'] })), { kind: 'invalid', message: "Invalid filter 'colour'" });
  await assert.rejects(volumes.list(filters({ dangling: ['maybe'] })), { kind: 'invalid' });
});

test('a volume in use cannot be removed, even with force; prune skips it', async () => {
  const { volumes } = service();
  await volumes.create({ name: 'used' });
  const id1 = 'a'.repeat(64);
  const id2 = 'b'.repeat(64);
  volumes.setUsers(new Map([['used', [id1]]]));
  volumes.attach('used', id2);
  await assert.rejects(volumes.remove('used', { force: true }), { kind: 'conflict', message: `remove used: volume is in use - [${id1}, ${id2}]` });
  assert.deepEqual((await volumes.prune(filters({ all: ['true'] }))).VolumesDeleted, []);
  volumes.detach('used', id1);
  volumes.detach('used', id2);
  assert.deepEqual(volumes.usersOf('used'), []);
  await volumes.remove('used', { force: false });
});

test('prune: anonymous only unless all, label filters, space reclaimed', async () => {
  const { volumes } = service();
  const anon = await volumes.create({ anonymous: true });
  writeFileSync(join(anon.Mountpoint, 'f'), 'x'.repeat(1000));
  await volumes.create({ name: 'named', labels: { keep: 'yes' } });
  await volumes.create({ name: 'named2' });
  const first = await volumes.prune(filters());
  assert.deepEqual(first, { VolumesDeleted: [anon.Name], SpaceReclaimed: 1000 });
  assert.deepEqual((await volumes.prune(filters({ all: ['1'], 'label!': ['keep=yes'] }))).VolumesDeleted, ['named2']);
  assert.deepEqual((await volumes.prune(filters({ all: ['true'], label: ['keep'] }))).VolumesDeleted, ['named']);
  await assert.rejects(volumes.prune(filters({ dangling: ['true'] })), { kind: 'invalid' });
});

test('a tmpfs-backed volume is mounted on first use and unmounted when its last user unmounts', async () => {
  const { volumes, events } = service();
  const v = await volumes.create({ name: 'fast', options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,nodev' } });
  assert.equal(isMountPoint(v.Mountpoint), false);
  assert.equal(await volumes.mount('fast', 'c1', { destination: '/data' }), v.Mountpoint);
  assert.equal(filesystemName(v.Mountpoint), 'tmpfs');
  writeFileSync(join(v.Mountpoint, 'f'), 'in memory');
  await volumes.mount('fast', 'c2');
  await volumes.mount('fast', 'c2'); // a second mount by the same container counts once
  await volumes.unmount('fast', 'c1');
  assert.equal(readFileSync(join(v.Mountpoint, 'f'), 'utf8'), 'in memory');
  await volumes.unmount('fast', 'c2');
  assert.equal(isMountPoint(v.Mountpoint), false);
  assert.equal(existsSync(join(v.Mountpoint, 'f')), false);
  const mountEvents = events.recent().filter((e) => e.Action === 'mount' || e.Action === 'unmount');
  assert.deepEqual(
    mountEvents.map((e) => `${e.Action} ${e.Actor.Attributes.container}`),
    ['mount c1', 'mount c2', 'unmount c1', 'unmount c2'],
  );
  assert.equal(mountEvents[0]!.Actor.Attributes.destination, '/data');
});

test('a bind-type volume mounts its host directory; rm never deletes through it', async () => {
  const { volumes } = service();
  const host = join(dir, 'host-src');
  mkdirSync(host, { recursive: true });
  writeFileSync(join(host, 'keep'), 'precious');
  const v = await volumes.create({ name: 'hostdir', options: { type: 'none', device: host, o: 'bind' } });
  await volumes.mount('hostdir', 'c1');
  assert.equal(readFileSync(join(v.Mountpoint, 'keep'), 'utf8'), 'precious');
  await volumes.unmount('hostdir', 'c1');
  await volumes.remove('hostdir', { force: false });
  assert.equal(readFileSync(join(host, 'keep'), 'utf8'), 'precious');
});

test('a device that cannot be mounted is a clear error', async () => {
  const { volumes } = service();
  await volumes.create({ name: 'broken', options: { type: 'ext4', device: join(dir, 'no-such-device') } });
  await assert.rejects(volumes.mount('broken', 'c1'), { message: /^failed to mount local volume: mount .*no-such-device:.*broken\/_data/ });
  // The failed mount is not counted: a later remove works.
  await volumes.remove('broken', { force: false });
});

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidMode, parseBind, parseConfigVolume, parseMountSpec, parseVolumesFrom } from './parse.js';
import type { MountSpec } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-parse-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('-v strings Docker accepts', () => {
  const table: [string, Partial<ReturnType<typeof parseBind>>][] = [
    ['/data', { type: 'volume', source: '', destination: '/data', rw: true, copyData: true }],
    ['vol:/data', { type: 'volume', source: 'vol', destination: '/data', mode: '' }],
    ['vol:/data:ro', { type: 'volume', source: 'vol', rw: false, mode: 'ro' }],
    ['vol:/data:nocopy', { type: 'volume', copyData: false, mode: 'nocopy' }],
    ['/host:/ctr', { type: 'bind', source: '/host', destination: '/ctr', propagation: 'rprivate', createSource: true }],
    ['/host/:/ctr/sub/:rw', { type: 'bind', source: '/host', destination: '/ctr/sub', rw: true }],
    ['/host:/ctr:ro,rshared', { type: 'bind', rw: false, propagation: 'rshared', mode: 'ro,rshared' }],
    ['/host:/ctr:z', { type: 'bind', relabel: true, mode: 'z' }],
    ['/host:/ctr:Z,ro', { type: 'bind', relabel: true, rw: false }],
    ['/rw:/ro', { type: 'bind', source: '/rw', destination: '/ro', rw: true }],
    ['/with space:/x y', { source: '/with space', destination: '/x y' }],
  ];
  for (const [raw, expected] of table) {
    const parsed = parseBind(raw);
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(parsed[key as keyof typeof parsed], value, `${raw}: ${key}`);
  }
  assert.equal(parseBind('vol:/d', 'local').driver, 'local');
});

test('-v strings Docker refuses, with its messages', () => {
  const table: [string, string][] = [
    ['', "invalid volume specification: ''"],
    [':/x', "invalid volume specification: ':/x'"],
    ['/a:/b:ro:extra', "invalid volume specification: '/a:/b:ro:extra'"],
    ['/foo:rw', "invalid volume specification: '/foo:rw'"],
    ['/a:/b:bogus', 'invalid mode: bogus'],
    ['/a:/b:ro,rw', 'invalid mode: ro,rw'],
    ['/a:/b:shared,slave', 'invalid mode: shared,slave'],
    ['relative', "invalid volume specification: 'relative': invalid mount config for type \"volume\": invalid mount path: 'relative' mount path must be absolute"],
    ['/a:rel', "invalid volume specification: '/a:rel': invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute"],
    ['/a:/', "invalid volume specification: '/a:/': invalid mount config for type \"bind\": invalid specification: destination can't be '/'"],
    ['/a:/b:nocopy', "invalid volume specification: '/a:/b:nocopy': invalid mount config for type \"bind\": field VolumeOptions must not be specified"],
    ['vol:/b:rshared', "invalid volume specification: 'vol:/b:rshared': invalid mount config for type \"volume\": field BindOptions must not be specified"],
  ];
  for (const [raw, message] of table) assert.throws(() => parseBind(raw), { kind: 'invalid', message }, raw);
  assert.equal(isValidMode('rw,z,rprivate,nocopy,cached'), true);
  assert.equal(isValidMode('z,Z'), false);
});

test('--mount specs: accepted and normalised', () => {
  const bind = parseMountSpec({ Type: 'bind', Source: dir, Target: '/x/', ReadOnly: true, BindOptions: { Propagation: 'rslave' } });
  assert.deepEqual([bind.source, bind.destination, bind.rw, bind.propagation, bind.mode, bind.createSource], [dir, '/x', false, 'rslave', '', false]);
  const vol = parseMountSpec({ Type: 'volume', Source: 'v1', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } } });
  assert.deepEqual([vol.source, vol.copyData, vol.volumeLabels, vol.volumeOptions, vol.driver], ['v1', false, { a: 'b' }, { type: 'tmpfs', device: 'tmpfs' }, 'local']);
  const tmpfs = parseMountSpec({ Type: 'tmpfs', Target: '/t', ReadOnly: true, TmpfsOptions: { SizeBytes: 10 * 2 ** 20, Mode: 0o1777 } });
  assert.deepEqual(tmpfs.tmpfsOptions, ['ro', 'mode=1777', 'size=10m']);
  assert.deepEqual(parseMountSpec({ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1000 } }).tmpfsOptions, ['size=1000']);
  const created = parseMountSpec({ Type: 'bind', Source: join(dir, 'missing'), Target: '/m', BindOptions: { CreateMountpoint: true } });
  assert.equal(created.createSource, true);
});

test('--mount specs Docker refuses, with its messages', () => {
  const table: [MountSpec, string][] = [
    [{ Type: 'bind', Source: '/nonexistent-berth-x', Target: '/x' }, 'invalid mount config for type "bind": bind source path does not exist: /nonexistent-berth-x'],
    [{ Type: 'bind', Target: '/x' }, 'invalid mount config for type "bind": field Source must not be empty'],
    [{ Type: 'bind', Source: 'rel', Target: '/x' }, "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute"],
    [{ Type: 'bind', Source: dir, Target: '/x', BindOptions: { Propagation: 'sideways' } }, 'invalid mount config for type "bind": invalid propagation mode: sideways'],
    [{ Type: 'bind', Source: dir, Target: '/x', VolumeOptions: {} }, 'invalid mount config for type "bind": field VolumeOptions must not be specified'],
    [{ Type: 'tmpfs', Source: 'x', Target: '/x' }, 'invalid mount config for type "tmpfs": field Source must not be specified'],
    [{ Type: 'tmpfs', Target: '/x', BindOptions: {} }, 'invalid mount config for type "tmpfs": field BindOptions must not be specified'],
    [{ Type: 'volume', Target: '/x', ReadOnly: true }, 'invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes'],
    [{ Type: 'volume', Source: 'v', Target: '/x', BindOptions: {} }, 'invalid mount config for type "volume": field BindOptions must not be specified'],
    [{ Type: 'volume', Source: 'v' }, 'invalid mount config for type "volume": field Target must not be empty'],
    [{ Type: 'volume', Source: 'v', Target: '/' }, `invalid mount config for type "volume": invalid specification: destination can't be '/'`],
    [{ Type: 'npipe', Source: 'v', Target: '/x' }, 'invalid mount config for type "npipe": mount type unknown'],
  ];
  for (const [spec, message] of table) assert.throws(() => parseMountSpec(spec), { kind: 'invalid', message }, JSON.stringify(spec));
});

test('--volumes-from specs', () => {
  assert.deepEqual(parseVolumesFrom('data'), { container: 'data', rw: true });
  assert.deepEqual(parseVolumesFrom('data:ro'), { container: 'data', rw: false });
  assert.deepEqual(parseVolumesFrom('data:rw,z'), { container: 'data', rw: true });
  assert.throws(() => parseVolumesFrom(''), { message: 'volumes-from specification cannot be an empty string' });
  assert.throws(() => parseVolumesFrom('data:rshared'), { message: 'invalid mode: rshared' });
  assert.throws(() => parseVolumesFrom('data:nocopy'), { message: 'invalid mode: nocopy' });
  assert.throws(() => parseVolumesFrom('data:xx'), { message: 'invalid mode: xx' });
});

test('image VOLUME paths: absolute, no ".."', () => {
  assert.equal(parseConfigVolume('/var/lib/data/'), '/var/lib/data');
  assert.throws(() => parseConfigVolume('/data/../../etc'), { kind: 'invalid', message: /"\.\." are not allowed/ });
  assert.throws(() => parseConfigVolume('data'), { kind: 'invalid', message: /mount path must be absolute/ });
});

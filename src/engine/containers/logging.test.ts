import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLogConfig, checkLogValues, fromHumanSize, logFiles, logLimits, logsReadable, LogKeeper, mergeLogConfig, withDefaultUlimits } from './logging.js';
import { isEngineError } from '../../lib/errors.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What conmon does at --log-size-max: a new file renamed over the old name. */
async function conmonRotates(path: string, content: string): Promise<void> {
  await writeFile(`${path}.tmp`, content);
  await rename(`${path}.tmp`, path);
}

async function waitForFile(dir: string, name: string): Promise<void> {
  for (let i = 0; i < 50 && !(await readdir(dir)).includes(name); i++) await sleep(20);
}

test('LogKeeper keeps the files conmon replaces, newest first, at most max-file in all', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-logkeeper-'));
  try {
    const log = join(dir, 'ctr.log');
    await writeFile(log, 'first\n');
    const keeper = new LogKeeper(log, 3, (m) => assert.fail(m));
    await keeper.start();
    await conmonRotates(log, 'second\n');
    await waitForFile(dir, 'ctr.log.1');
    await conmonRotates(log, 'third\n');
    await waitForFile(dir, 'ctr.log.2');
    await conmonRotates(log, 'fourth\n');
    await sleep(200);
    await keeper.stop({ keepHeld: true });
    const contents = await Promise.all(logFiles(log, 3).map((f) => readFile(f, 'utf8')));
    assert.deepEqual(contents, ['second\n', 'third\n', 'fourth\n']);
    // berthd was down while conmon rotated once more: the held file becomes ctr.log.1 at the next start.
    await conmonRotates(log, 'fifth\n');
    const again = new LogKeeper(log, 3, (m) => assert.fail(m));
    await again.start();
    await again.stop();
    assert.deepEqual(await Promise.all(logFiles(log, 3).map((f) => readFile(f, 'utf8'))), ['third\n', 'fourth\n', 'fifth\n']);
    assert.ok(!(await readdir(dir)).includes('ctr.log.held'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('log options and ulimits merge as moby merges them', () => {
  assert.equal(fromHumanSize('10m'), 10_000_000);
  assert.equal(fromHumanSize('2k'), 2000);
  assert.ok(Number.isNaN(fromHumanSize('lots')));
  const daemon = { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } };
  assert.deepEqual(mergeLogConfig(undefined, daemon), daemon);
  assert.deepEqual(mergeLogConfig({ Type: '', Config: { 'max-size': '1m' } }, daemon), { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '3' } });
  assert.deepEqual(mergeLogConfig({ Type: 'k8s-file', Config: {} }, daemon), { Type: 'k8s-file', Config: {} });
  const defaults = [{ Name: 'nofile', Soft: 10, Hard: 20 }, { Name: 'nproc', Soft: 5, Hard: 5 }];
  assert.deepEqual(withDefaultUlimits([{ Name: 'nofile', Soft: 1, Hard: 2 }], defaults), [{ Name: 'nofile', Soft: 1, Hard: 2 }, { Name: 'nproc', Soft: 5, Hard: 5 }]);
});

test('create checks the driver and option names as dockerd; values are the driver start\'s to refuse', () => {
  assert.doesNotThrow(() => checkLogConfig({ Type: 'none', Config: { 'max-size': '1m' } }));
  assert.doesNotThrow(() => checkLogConfig({ Type: 'json-file', Config: { 'max-size': 'x' } }));
  assert.throws(() => checkLogConfig({ Type: 'foo', Config: {} }), (e) => isEngineError(e, 'invalid') && e.message === 'error looking up logging plugin foo: plugin "foo" not found');
  assert.throws(() => checkLogConfig({ Type: 'syslog', Config: {} }), (e) => isEngineError(e, 'notImplemented'));
  assert.throws(() => checkLogConfig({ Type: 'local', Config: { foo: '1' } }), /^EngineError: unknown log opt 'foo' for log driver local$/);
  assert.throws(() => checkLogConfig({ Type: 'json-file', Config: { foo: '1' } }), /^EngineError: unknown log opt 'foo' for json-file log driver$/);
  const start = (Config: Record<string, string>, Type = 'json-file') => () => checkLogValues({ Type, Config });
  assert.throws(start({ 'max-size': 'x' }), (e) => isEngineError(e, 'internal') && e.message === "failed to initialize logging driver: invalid size: 'x'");
  assert.throws(start({ 'max-file': 'x' }), /strconv.Atoi: parsing "x": invalid syntax/);
  assert.throws(start({ 'max-file': '0' }), /max-file cannot be less than 1/);
  assert.throws(start({ 'max-file': '0' }, 'local'), /compression cannot be enabled when max file count is 1/);
  assert.doesNotThrow(start({ 'max-file': '2' }));
  assert.throws(start({}, 'gone'), /^EngineError: failed to initialize logging driver: logger: no log driver named 'gone' is registered$/);
});

test('logLimits: the container\'s options, else the driver\'s run defaults (never written into the container)', () => {
  assert.deepEqual(logLimits({}), { maxSize: 10_000_000, maxFile: 3 });
  assert.deepEqual(logLimits({ LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } } }), { maxSize: 1_000_000, maxFile: 1 });
  assert.deepEqual(logLimits({ LogConfig: { Type: 'local', Config: {} } }), { maxSize: 20_000_000, maxFile: 5 });
  assert.deepEqual(logLimits({ LogConfig: { Type: 'k8s-file', Config: {} } }), { maxSize: 0, maxFile: 1 });
  assert.equal(logsReadable({ LogConfig: { Type: 'none', Config: {} } }), false);
  assert.equal(logsReadable({ LogConfig: { Type: 'local', Config: {} } }), true);
});

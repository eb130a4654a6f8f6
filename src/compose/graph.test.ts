import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inDependencyOrder, namedOrAll, withDependencies, withRestartDependents } from './graph.js';
import { combinedStatus } from './ls.js';
import { eventJson, eventText } from './events.js';

// web and worker depend on db; proxy on web; cache on nothing.
const services = {
  db: {},
  cache: {},
  web: { depends_on: { db: { condition: 'service_started', restart: true } } },
  worker: { depends_on: { db: { condition: 'service_started' } } },
  proxy: { depends_on: { web: { condition: 'service_started' } } },
};

/** Records when each service starts and ends; each takes one tick, so parallel ones overlap. */
async function trace(reverse: boolean, selected = Object.keys(services)): Promise<string[]> {
  const log: string[] = [];
  await inDependencyOrder(services, selected, async (s) => {
    log.push(`+${s}`);
    await new Promise((r) => setImmediate(r));
    log.push(`-${s}`);
  }, reverse);
  return log;
}

test('dependencies first, independent services at once', async () => {
  const log = await trace(false);
  const at = (e: string) => log.indexOf(e);
  assert.ok(at('-db') < at('+web') && at('-db') < at('+worker') && at('-web') < at('+proxy'), log.join(' '));
  // db and cache have nothing to wait for: both begin before either ends.
  assert.ok(at('+cache') < at('-db') && at('+db') < at('-cache'), log.join(' '));
});

test('reverse order: dependents first', async () => {
  const log = await trace(true);
  const at = (e: string) => log.indexOf(e);
  assert.ok(at('-proxy') < at('+web') && at('-web') < at('+db') && at('-worker') < at('+db'), log.join(' '));
});

test('only selected services run, and a failure is reported after the others settle', async () => {
  assert.deepEqual((await trace(false, ['web', 'proxy'])).filter((e) => e.startsWith('+')), ['+web', '+proxy']);
  const ran: string[] = [];
  await assert.rejects(
    inDependencyOrder(services, Object.keys(services), async (s) => {
      ran.push(s);
      if (s === 'db') throw new Error('db failed');
    }),
    /db failed/,
  );
  assert.ok(!ran.includes('web'), 'what depends on a failed service does not run');
  assert.ok(ran.includes('cache'));
});

test('selections', () => {
  assert.deepEqual(withDependencies(services, ['proxy']).sort(), ['db', 'proxy', 'web']);
  assert.deepEqual(withRestartDependents(services, ['db']).sort(), ['db', 'web']);
  assert.deepEqual(namedOrAll(services, []), Object.keys(services));
  assert.throws(() => namedOrAll(services, ['nope']), /no such service: nope/);
});

test('ls status and event lines', () => {
  assert.equal(combinedStatus(['running', 'exited', 'running']), 'exited(1), running(2)');
  const e = { timeNano: 1_700_000_000_123_456_789n, service: 'web', container: 'abc', action: 'start', attributes: { name: 'p-web-1', image: 'busybox' } };
  assert.match(eventText(e), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456 container start abc \(image=busybox, name=p-web-1\)\n$/);
  const json = JSON.parse(eventJson(e));
  assert.deepEqual(Object.keys(json), ['action', 'attributes', 'id', 'service', 'time', 'type']);
  assert.equal(new Date(json.time).getTime(), 1_700_000_000_123);
  assert.match(json.time, /\.123456789/);
});

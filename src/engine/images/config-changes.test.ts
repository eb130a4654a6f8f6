import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, splitWords } from './config-changes.js';
import { isEngineError } from '../../lib/errors.js';

test('CMD and ENTRYPOINT take JSON form as is and wrap shell form', () => {
  const c = applyChanges({}, ['CMD ["sh"]', 'ENTRYPOINT /bin/echo hi']);
  assert.deepEqual(c.Cmd, ['sh']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/bin/echo hi']);
});

test('ENV replaces existing keys and accepts both forms', () => {
  const c = applyChanges({ Env: ['PATH=/bin', 'A=1'] }, ['ENV A=2 B="two words"', 'ENV C legacy value']);
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=2', 'B=two words', 'C=legacy value']);
});

test('LABEL, EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL', () => {
  const c = applyChanges({ WorkingDir: '/app' }, [
    'LABEL a=b "c d"=e',
    'EXPOSE 80 53/udp 8000-8001',
    'VOLUME ["/data", "/logs"]',
    'USER nobody',
    'WORKDIR sub',
    'stopsignal SIGINT',
  ]);
  assert.deepEqual(c.Labels, { a: 'b', 'c d': 'e' });
  assert.deepEqual(Object.keys(c.ExposedPorts!), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
  assert.deepEqual(Object.keys(c.Volumes!), ['/data', '/logs']);
  assert.equal(c.User, 'nobody');
  assert.equal(c.WorkingDir, '/app/sub');
  assert.equal(c.StopSignal, 'SIGINT');
});

test('refuses instructions Docker does not allow as changes, and bad values', () => {
  assert.throws(() => applyChanges({}, ['RUN rm -rf /']), (e) => isEngineError(e, 'invalid') && e.message === 'run is not a valid change command');
  assert.throws(() => applyChanges({}, ['EXPOSE 99999']), (e) => isEngineError(e, 'invalid'));
  assert.throws(() => applyChanges({}, ['USER']), (e) => isEngineError(e, 'invalid'));
  assert.throws(() => splitWords('a "b'), (e) => isEngineError(e, 'invalid'));
});

test('does not modify its input', () => {
  const input = { Env: ['A=1'] };
  applyChanges(input, ['ENV A=2']);
  assert.deepEqual(input.Env, ['A=1']);
});

test('with a word splitter, changes see the Env as it stands, earlier changes included', () => {
  // A stand-in for the Dockerfile word processor: $NAME from the env, then split on spaces.
  const splitter = (text: string, env: Map<string, string>) => text.replace(/\$(\w+)/g, (_, name: string) => env.get(name) ?? '').split(/\s+/).filter(Boolean);
  const c = applyChanges({ Env: ['PATH=/bin'] }, ['ENV PATH=/x:$PATH', 'ENV P2=$PATH', 'LABEL l=$P2', 'USER $NOPE'], splitter);
  assert.deepEqual(c.Env, ['PATH=/x:/bin', 'P2=/x:/bin']);
  assert.deepEqual(c.Labels, { l: '/x:/bin' });
  assert.equal(c.User, '');
  assert.deepEqual(applyChanges({}, ['ENV PATH=$PATH']).Env, ['PATH=$PATH'], 'no splitter: no expansion');
});

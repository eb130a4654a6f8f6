/**
 * The dashboard's HTTP guard, in process and without engines: nothing under
 * /api/ without a session, CSRF on state-changing requests, roles enforced
 * by the server, first-run setup, and login throttling.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDashboard, type RunningDashboard } from './server.js';

interface Signed {
  cookie: string;
  csrf: string;
}

describe('dashboard server guard', () => {
  let dir: string;
  let dash: RunningDashboard;
  const call = (method: string, path: string, o: { body?: unknown; cookie?: string; csrf?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${dash.url}${path}`, {
      method,
      headers: {
        ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(o.cookie ? { Cookie: o.cookie } : {}),
        ...(o.csrf ? { 'X-CSRF-Token': o.csrf } : {}),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  const login = async (username: string, password: string): Promise<Signed> => {
    const res = await call('POST', '/api/login', { body: { username, password } });
    assert.equal(res.status, 200, await res.clone().text());
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    return { cookie, csrf: ((await res.json()) as { csrf: string }).csrf };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-dash-server-'));
    dash = await startDashboard({ host: '127.0.0.1', port: 0, dataDir: join(dir, 'data'), assetsDir: dir,
      // Long enough that the throttled attempt below cannot slip past it on a slow machine.
      loginThrottle: { freeFailures: 3, baseDelayMs: 10 * 60_000 } });
  });
  after(async () => {
    await dash?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('first run: the API says so, setup refuses a short password, then makes the admin once', async () => {
    const probe = await call('GET', '/api/session');
    assert.equal(probe.status, 401);
    assert.deepEqual(await probe.json(), { message: 'not signed in', setup: true });
    assert.equal((await call('POST', '/api/setup', { body: { password: 'short' } })).status, 400);
    assert.equal((await call('POST', '/api/setup', { body: { password: 'long enough' }, headers: { Origin: 'http://evil.example' } })).status, 403);
    const setup = await call('POST', '/api/setup', { body: { password: 'long enough' } });
    assert.equal(setup.status, 200);
    assert.match(setup.headers.get('set-cookie')!, /^berth_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await call('POST', '/api/setup', { body: { password: 'another one' } })).status, 409);
  });

  test('without a session every API answers 401', async () => {
    for (const [method, path] of [['GET', '/api/hosts'], ['GET', '/api/containers'], ['GET', '/api/users'], ['POST', '/api/hosts'],
      ['POST', '/api/hosts/h/containers/c/stop'], ['GET', '/api/hosts/h/containers/c/logs']]) {
      const res = await call(method!, path!, { cookie: 'berth_session=forged' });
      assert.equal(res.status, 401, `${method} ${path}`);
    }
  });

  test('state-changing requests need the CSRF token and JSON; roles are enforced by the server', async () => {
    const admin = await login('admin', 'long enough');
    assert.equal((await call('POST', '/api/users', { cookie: admin.cookie, body: { name: 'v', password: 'viewer pw', role: 'viewer' } })).status, 403, 'no CSRF');
    assert.equal((await call('POST', '/api/users', { ...admin, csrf: 'wrong', body: { name: 'v', password: 'viewer pw', role: 'viewer' } })).status, 403);
    const form = await call('POST', '/api/users', { ...admin, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415, 'a cross-site form cannot post JSON');
    assert.equal((await call('POST', '/api/users', { ...admin, body: { name: 'v', password: 'viewer pw', role: 'viewer' } })).status, 201);
    assert.equal((await call('POST', '/api/users', { ...admin, body: { name: 'op', password: 'operator pw', role: 'operator' } })).status, 201);

    const viewer = await login('v', 'viewer pw');
    assert.equal((await call('GET', '/api/hosts', viewer)).status, 200);
    const stop = await call('POST', '/api/hosts/any/containers/any/stop', viewer);
    assert.equal(stop.status, 403, 'a viewer cannot act, even with a valid CSRF token');
    assert.match(((await stop.json()) as { message: string }).message, /operator role/);
    assert.equal((await call('GET', '/api/users', viewer)).status, 403);
    const op = await login('op', 'operator pw');
    assert.equal((await call('POST', '/api/hosts/any/containers/any/stop', op)).status, 404, 'an operator gets through to the (unknown) host');
    assert.equal((await call('POST', '/api/hosts', { ...op, body: { name: 'x', host: 'unix:///x' } })).status, 403);

    // A demotion applies to live sessions at once; a removal ends them.
    assert.equal((await call('PATCH', '/api/users/op', { ...admin, body: { role: 'viewer' } })).status, 200);
    assert.equal((await call('POST', '/api/hosts/any/containers/any/stop', op)).status, 403);
    assert.equal((await call('DELETE', '/api/users/op', admin)).status, 200);
    assert.equal((await call('GET', '/api/hosts', op)).status, 401);
    // Logging out ends the session.
    assert.equal((await call('POST', '/api/logout', viewer)).status, 200);
    assert.equal((await call('GET', '/api/hosts', viewer)).status, 401);
  });

  test('failed logins are throttled per user and address; other users are not', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await call('POST', '/api/login', { body: { username: 'admin', password: `wrong ${i}` } })).status, 401);
    const throttled = await call('POST', '/api/login', { body: { username: 'admin', password: 'long enough' } });
    assert.equal(throttled.status, 429, 'even the right password waits');
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    assert.equal((await call('POST', '/api/login', { body: { username: 'v', password: 'viewer pw' } })).status, 200);
  });

  test('wrong logins sent all at once get the same free tries as one after another', async () => {
    const guesses = Array.from({ length: 8 }, (_, i) => call('POST', '/api/login', { body: { username: 'v', password: `guess ${i}` } }));
    const statuses = (await Promise.all(guesses)).map((r) => r.status).sort();
    assert.deepEqual(statuses, [401, 401, 401, 429, 429, 429, 429, 429]);
  });

  test('the live socket and the terminal\'s need a session too', async () => {
    const { WebSocket } = await import('ws');
    const upgrade = (path: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`${dash.url.replace('http', 'ws')}${path}`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    assert.equal(await upgrade('/api/live'), 401);
    // Refused before any engine is asked: no such host is needed to tell.
    assert.equal(await upgrade('/api/hosts/any/containers/any/exec?csrf=guess&cols=80&rows=24'), 401);
  });
});

/**
 * `berth registry serve --console`: token authentication (the registry token
 * spec) with projects, accounts, roles and robots, driven by the clients
 * people use: the docker CLI through a private dockerd 20.10, skopeo, and
 * berthd; plus the token endpoint, the catalog and the management API by raw
 * HTTP. Users: alice (developer of the private project "team"), bob (guest
 * of "team"), the robot "ci" of "team" and the admin.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, run, TestDaemon } from './harness.js';
import { basicAuth, consoleApi, expectStatus, makeBusyboxOciLayout, TestRegistry, type Response, type Who } from './registry-harness.js';

const SKOPEO = '/usr/bin/skopeo';
const ADMIN_PASSWORD = 'admin-secret-1';
const ALICE = { user: 'alice', password: 'alice-password' };
const BOB = { user: 'bob', password: 'bob-password-2' };
const SERVICE = 'berth-registry';

interface Console {
  registry: TestRegistry;
  robot: { name: string; secret: string };
}

/** API call as the admin (or `as`), JSON in and out. */
const api = (registry: TestRegistry, method: string, path: string, body?: unknown, as: Who = { user: 'admin', password: ADMIN_PASSWORD }): Promise<Response> => consoleApi(registry, method, path, body, as);

/** A console registry with alice, bob, the private project "team" and its robot "ci". */
async function startConsole(extra: string[] = []): Promise<Console> {
  const registry = await TestRegistry.start(['--console', '--delete-enabled', ...extra], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN_PASSWORD });
  try {
    for (const u of [ALICE, BOB]) await expectStatus(api(registry, 'POST', '/users', { username: u.user, password: u.password }), 201);
    await expectStatus(api(registry, 'POST', '/projects', { name: 'team', public: false }), 201);
    await expectStatus(api(registry, 'POST', '/projects/team/members', { username: ALICE.user, role: 'developer' }), 201);
    await expectStatus(api(registry, 'POST', '/projects/team/members', { username: BOB.user, role: 'guest' }), 201);
    await expectStatus(api(registry, 'POST', '/projects/library/members', { username: ALICE.user, role: 'developer' }), 201);
    const robot = (await expectStatus(api(registry, 'POST', '/projects/team/robots', { name: 'ci', actions: ['pull', 'push'] }), 201)).json();
    assert.equal(robot.name, 'robot$team+ci');
    return { registry, robot };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

/** A token from the endpoint, for raw requests. */
async function token(registry: TestRegistry, scopes: string[], as?: { user: string; password: string }): Promise<Response> {
  const query = new URLSearchParams({ service: SERVICE });
  for (const s of scopes) query.append('scope', s);
  const headers = as ? { Authorization: basicAuth(as.user, as.password) } : {};
  return registry.request('GET', `/service/token?${query}`, { headers });
}

async function bearer(registry: TestRegistry, scopes: string[], as?: { user: string; password: string }): Promise<Record<string, string>> {
  const res = await expectStatus(token(registry, scopes, as), 200);
  return { Authorization: `Bearer ${res.json().token}` };
}

function claimsOf(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
}

describe('registry --console: token endpoint, challenges and the catalog', () => {
  let c: Console;

  before(async () => {
    c = await startConsole();
    const admin = await bearer(c.registry, ['repository:team/app:pull,push', 'repository:library/app:pull,push', 'repository:other/app:pull,push'], { user: 'admin', password: ADMIN_PASSWORD });
    await c.registry.pushImage('team/app', 'v1', { headers: admin });
    await c.registry.pushImage('library/app', 'v1', { headers: admin });
  });
  after(async () => {
    await c?.registry.stop();
  });

  it('keeps its signing key and accounts in the root, readable by the owner only', async () => {
    for (const file of ['token-key.pem', 'accounts.json']) {
      assert.equal((await stat(join(c.registry.root, 'auth', file))).mode & 0o777, 0o600, file);
    }
    const accounts = await readFile(join(c.registry.root, 'auth', 'accounts.json'), 'utf8');
    assert.doesNotMatch(accounts, new RegExp(ADMIN_PASSWORD));
    assert.match(accounts, /"\$2[aby]\$10\$/);
  });

  it('challenges with the realm, the service and the scope the request needs', async () => {
    const base = await c.registry.request('GET', '/v2/');
    assert.equal(base.status, 401);
    assert.equal(base.headers['www-authenticate'], `Bearer realm="${c.registry.url}/service/token",service="${SERVICE}"`);
    const push = await c.registry.request('POST', '/v2/team/app/blobs/uploads/');
    assert.equal(push.status, 401);
    assert.equal(push.headers['www-authenticate'], `Bearer realm="${c.registry.url}/service/token",service="${SERVICE}",scope="repository:team/app:pull,push"`);
    assert.equal(push.json().errors[0].code, 'UNAUTHORIZED');
  });

  it('grants the intersection of what is asked and what is allowed', async () => {
    const guest = (await expectStatus(token(c.registry, ['repository:team/app:pull,push,delete', 'repository:library/app:pull,push'], BOB), 200)).json();
    assert.deepEqual(claimsOf(guest.token).access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }, { type: 'repository', name: 'library/app', actions: ['pull'] }]);
    assert.equal(claimsOf(guest.token).sub, 'bob');
    assert.equal(claimsOf(guest.token).aud, SERVICE);
    const anonymous = (await expectStatus(token(c.registry, ['repository:team/app:pull', 'repository:library/app:pull,push']), 200)).json();
    assert.deepEqual(claimsOf(anonymous.token).access, [{ type: 'repository', name: 'library/app', actions: ['pull'] }]);
    const robot = (await expectStatus(token(c.registry, ['repository:team/app:pull,push,delete', 'repository:library/app:push'], { user: c.robot.name, password: c.robot.secret }), 200)).json();
    assert.deepEqual(claimsOf(robot.token).access, [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }]);
  });

  it('refuses a wrong password and a wrong robot secret', async () => {
    const wrong = await token(c.registry, ['repository:team/app:pull'], { user: ALICE.user, password: 'not-her-password' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json().details, 'incorrect username or password');
    const robot = await token(c.registry, [], { user: c.robot.name, password: `${c.robot.secret}x` });
    assert.equal(robot.status, 401);
  });

  it('answers 401 insufficient_scope when the token lacks an action, and refuses tokens not signed here', async () => {
    const guest = await bearer(c.registry, ['repository:team/app:pull,push'], BOB);
    const read = await c.registry.request('GET', '/v2/team/app/tags/list', { headers: guest });
    assert.equal(read.status, 200);
    const write = await c.registry.request('POST', '/v2/team/app/blobs/uploads/', { headers: guest });
    assert.equal(write.status, 401);
    assert.match(String(write.headers['www-authenticate']), /scope="repository:team\/app:pull,push",error="insufficient_scope"/);
    const [head, body] = guest.Authorization!.slice(7).split('.');
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claimsOf(guest.Authorization!.slice(7)), access: [{ type: 'repository', name: 'team/app', actions: ['push'] }] })).toString('base64url')}.${body}`;
    const rejected = await c.registry.request('GET', '/v2/', { headers: { Authorization: `Bearer ${forged}` } });
    assert.equal(rejected.status, 401);
    assert.match(String(rejected.headers['www-authenticate']), /error="invalid_token"/);
  });

  it('answers 404 MANIFEST_UNKNOWN to a GET or HEAD of a reference that cannot be a tag, with a token that may pull', async () => {
    const headers = await bearer(c.registry, ['repository:team/app:pull'], BOB);
    for (const ref of ['..', '.INVALID_MANIFEST_NAME', 't'.repeat(129)]) {
      const get = await c.registry.request('GET', `/v2/team/app/manifests/${ref}`, { headers });
      assert.equal(get.status, 404, `${ref}: ${get.body}`);
      assert.equal(get.json().errors[0].code, 'MANIFEST_UNKNOWN', ref);
      assert.equal((await c.registry.request('HEAD', `/v2/team/app/manifests/${ref}`, { headers })).status, 404, ref);
    }
    assert.equal((await c.registry.request('GET', '/v2/team/app/manifests/..')).status, 401, 'without a token: the challenge first');
  });

  it('shows each caller only the repositories it may see in the catalog and /v1/search', async () => {
    const catalog = async (as?: { user: string; password: string }) => {
      const res = await c.registry.request('GET', '/v2/_catalog', { headers: await bearer(c.registry, ['registry:catalog:*'], as) });
      assert.equal(res.status, 200, res.body.toString());
      return res.json().repositories;
    };
    assert.deepEqual(await catalog(), ['library/app']);
    assert.deepEqual(await catalog(BOB), ['library/app', 'team/app']);
    assert.deepEqual(await catalog({ user: 'admin', password: ADMIN_PASSWORD }), ['library/app', 'team/app']);
    const search = await c.registry.request('GET', '/v1/search?q=app');
    assert.deepEqual(search.json().results.map((r: { name: string }) => r.name), ['library/app']);
    const asBob = await c.registry.request('GET', '/v1/search?q=app', { headers: { Authorization: basicAuth(BOB.user, BOB.password) } });
    assert.deepEqual(asBob.json().results.map((r: { name: string }) => r.name), ['library/app', 'team/app']);
  });

  it('gives a refresh token for offline_token=true, redeemable by the OAuth2 POST until the password changes', async () => {
    const login = (await expectStatus(c.registry.request('GET', `/service/token?service=${SERVICE}&offline_token=true&client_id=docker`, { headers: { Authorization: basicAuth(ALICE.user, ALICE.password) } }), 200)).json();
    assert.equal(typeof login.refresh_token, 'string');
    const redeem = () => c.registry.request('POST', '/service/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: login.refresh_token, service: SERVICE, scope: 'repository:team/app:pull repository:team/app:push', client_id: 'docker' }).toString(),
    });
    const fresh = (await expectStatus(redeem(), 200)).json();
    assert.deepEqual(claimsOf(fresh.access_token).access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }, { type: 'repository', name: 'team/app', actions: ['push'] }]);
    const password = await c.registry.request('POST', '/service/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: ALICE.user, password: ALICE.password, service: SERVICE, scope: 'repository:team/app:pull' }).toString(),
    });
    assert.equal(password.status, 200);
    await expectStatus(api(c.registry, 'PUT', `/users/${ALICE.user}/password`, { old_password: ALICE.password, new_password: 'alice-new-password' }, ALICE), 204);
    assert.equal((await redeem()).status, 401);
    await expectStatus(api(c.registry, 'PUT', `/users/${ALICE.user}/password`, { new_password: ALICE.password }), 204);
  });
});

describe('registry --console: maintainer and project admin roles', () => {
  const MAINTAINER = { user: 'mia', password: 'mia-password-3' };
  const PROJECT_ADMIN = { user: 'pat', password: 'pat-password-4' };
  const NEWCOMER = { user: 'carol', password: 'carol-password-5' };
  let c: Console;

  before(async () => {
    c = await startConsole();
    for (const u of [MAINTAINER, PROJECT_ADMIN, NEWCOMER]) await expectStatus(api(c.registry, 'POST', '/users', { username: u.user, password: u.password }), 201);
    await expectStatus(api(c.registry, 'POST', '/projects/team/members', { username: MAINTAINER.user, role: 'maintainer' }), 201);
    await expectStatus(api(c.registry, 'POST', '/projects/team/members', { username: PROJECT_ADMIN.user, role: 'projectAdmin' }), 201);
  });
  after(async () => {
    await c?.registry.stop();
  });

  it('gives a maintainer delete, which deletes a manifest through /v2; a developer asking for delete gets pull and push only', async () => {
    const scope = 'repository:team/kept:pull,push,delete';
    const { digest } = await c.registry.pushImage('team/kept', 'v1', { headers: await bearer(c.registry, [scope], ALICE) });
    const developer = (await expectStatus(token(c.registry, [scope], ALICE), 200)).json().token;
    assert.deepEqual(claimsOf(developer).access, [{ type: 'repository', name: 'team/kept', actions: ['pull', 'push'] }]);
    const refused = await c.registry.request('DELETE', `/v2/team/kept/manifests/${digest}`, { headers: { Authorization: `Bearer ${developer}` } });
    assert.equal(refused.status, 401);
    assert.match(String(refused.headers['www-authenticate']), /scope="repository:team\/kept:delete",error="insufficient_scope"/);
    const maintainer = (await expectStatus(token(c.registry, [scope], MAINTAINER), 200)).json().token;
    assert.deepEqual(claimsOf(maintainer).access, [{ type: 'repository', name: 'team/kept', actions: ['pull', 'push', 'delete'] }]);
    const headers = { Authorization: `Bearer ${maintainer}` };
    assert.equal((await c.registry.request('GET', `/v2/team/kept/manifests/${digest}`, { headers })).status, 200, 'not deleted by the developer');
    await expectStatus(c.registry.request('DELETE', `/v2/team/kept/manifests/${digest}`, { headers }), 202);
    const gone = await c.registry.request('GET', `/v2/team/kept/manifests/${digest}`, { headers });
    assert.equal(gone.status, 404);
    assert.equal(gone.json().errors[0].code, 'MANIFEST_UNKNOWN');
  });

  it('lets a project admin who is not the admin add a member and delete a repository in the API; a developer gets 403', async () => {
    assert.equal((await api(c.registry, 'GET', '/users', undefined, PROJECT_ADMIN)).status, 403, 'pat is not the system admin');
    const member = { username: NEWCOMER.user, role: 'guest' };
    assert.equal((await api(c.registry, 'POST', '/projects/team/members', member, ALICE)).status, 403);
    await expectStatus(api(c.registry, 'POST', '/projects/team/members', member, PROJECT_ADMIN), 201);
    const members = (await expectStatus(api(c.registry, 'GET', '/projects/team/members', undefined, PROJECT_ADMIN), 200)).json();
    assert.ok(members.some((m: { username: string; role: string }) => m.username === NEWCOMER.user && m.role === 'guest'), JSON.stringify(members));
    assert.deepEqual(claimsOf((await token(c.registry, ['repository:team/doomed:pull'], NEWCOMER)).json().token).access, [{ type: 'repository', name: 'team/doomed', actions: ['pull'] }]);

    await c.registry.pushImage('team/doomed', 'v1', { headers: await bearer(c.registry, ['repository:team/doomed:pull,push'], ALICE) });
    const repositories = async () => (await expectStatus(api(c.registry, 'GET', '/projects/team/repositories', undefined, PROJECT_ADMIN), 200)).json().map((r: { name: string }) => r.name);
    assert.ok((await repositories()).includes('team/doomed'));
    assert.equal((await api(c.registry, 'DELETE', '/projects/team/repositories/doomed', undefined, ALICE)).status, 403);
    assert.ok((await repositories()).includes('team/doomed'), 'the developer deleted nothing');
    await expectStatus(api(c.registry, 'DELETE', '/projects/team/repositories/doomed', undefined, PROJECT_ADMIN), 204);
    assert.ok(!(await repositories()).includes('team/doomed'));
    const tags = await c.registry.request('GET', '/v2/team/doomed/tags/list', { headers: await bearer(c.registry, ['repository:team/doomed:pull'], PROJECT_ADMIN) });
    assert.equal(tags.status, 404);
    assert.equal(tags.json().errors[0].code, 'NAME_UNKNOWN');
  });
});

describe('registry --console: token expiry', () => {
  let c: Console;
  before(async () => {
    c = await startConsole(['--token-expiry', '1']);
  });
  after(async () => {
    await c?.registry.stop();
  });

  it('refuses a token once it has expired', async () => {
    const issued = (await expectStatus(token(c.registry, ['repository:library/x:pull']), 200)).json();
    assert.equal(issued.expires_in, 1);
    const headers = { Authorization: `Bearer ${issued.token}` };
    const exp = claimsOf(issued.token).exp as number;
    let res = await c.registry.request('GET', '/v2/', { headers });
    if (Date.now() / 1000 < exp) assert.equal(res.status, 200);
    // Wait for the condition (the clock passing exp), bounded.
    const deadline = Date.now() + 15_000;
    while (Date.now() / 1000 <= exp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    res = await c.registry.request('GET', '/v2/', { headers });
    assert.equal(res.status, 401);
    assert.match(String(res.headers['www-authenticate']), /error="invalid_token"/);
  });
});

describe('registry --console: management API', () => {
  let c: Console;
  before(async () => {
    c = await startConsole();
  });
  after(async () => {
    await c?.registry.stop();
  });

  it('logs in with a session cookie and refuses cookie writes without JSON', async () => {
    const bad = await c.registry.request('POST', '/api/v1/login', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: ALICE.user, password: 'nope' }) });
    assert.equal(bad.status, 401);
    const login = await expectStatus(c.registry.request('POST', '/api/v1/login', { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: ALICE.user, password: ALICE.password }) }), 200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
    const me = await expectStatus(c.registry.request('GET', '/api/v1/users/current', { headers: { Cookie: cookie } }), 200);
    assert.deepEqual(me.json(), { username: 'alice', admin: false });
    const form = await c.registry.request('POST', '/api/v1/projects', { headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'name=evil' });
    assert.equal(form.status, 403);
    const created = await c.registry.request('POST', '/api/v1/projects', { headers: { Cookie: cookie, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'alices' }) });
    assert.equal(created.status, 201, created.body.toString());
    assert.equal(created.json().role, 'projectAdmin');
    await expectStatus(c.registry.request('POST', '/api/v1/logout', { headers: { Cookie: cookie, 'Content-Type': 'application/json' } }), 204);
    assert.equal((await c.registry.request('GET', '/api/v1/users/current', { headers: { Cookie: cookie } })).status, 401);
  });

  it('keeps user management to the admin and private projects to their members', async () => {
    assert.equal((await api(c.registry, 'GET', '/users', undefined, ALICE)).status, 403);
    assert.equal((await api(c.registry, 'POST', '/users', { username: 'mallory', password: 'mallory-pass' }, BOB)).status, 403);
    assert.equal((await api(c.registry, 'POST', '/users', { username: 'shorty', password: 'short' })).status, 400);
    assert.equal((await api(c.registry, 'POST', '/users', { username: ALICE.user, password: 'whatever-long' })).status, 409);
    const anonymous = await c.registry.request('GET', '/api/v1/projects');
    assert.deepEqual(anonymous.json().map((p: { name: string }) => p.name), ['library']);
    const bob = (await api(c.registry, 'GET', '/projects', undefined, BOB)).json();
    assert.deepEqual(bob.map((p: { name: string; role?: string }) => [p.name, p.role]), [['library', undefined], ['team', 'guest']]);
    assert.equal((await c.registry.request('GET', '/api/v1/projects/team')).status, 404);
    assert.equal((await api(c.registry, 'POST', '/projects/team/members', { username: 'bob', role: 'maintainer' }, BOB)).status, 403);
    assert.equal((await api(c.registry, 'GET', '/projects/team/robots', undefined, BOB)).status, 403);
    const robots = (await expectStatus(api(c.registry, 'GET', '/projects/team/robots'), 200)).json();
    assert.deepEqual(robots.map((r: { name: string; actions: string[] }) => [r.name, r.actions]), [['robot$team+ci', ['pull', 'push']]]);
    assert.equal((await api(c.registry, 'POST', '/projects/team/members', { username: 'bob', role: 'owner' })).status, 400);
    assert.equal((await api(c.registry, 'POST', '/projects', { name: 'Bad/Name' })).status, 400);
    assert.equal((await api(c.registry, 'GET', '/users', undefined, { user: c.robot.name, password: c.robot.secret })).status, 403);
  });

  it('makes a project public for anonymous pulls, and refuses to delete one with repositories', async () => {
    await c.registry.pushImage('team/pub', '1', { headers: await bearer(c.registry, ['repository:team/pub:pull,push'], ALICE) });
    const before = claimsOf((await token(c.registry, ['repository:team/pub:pull'])).json().token).access;
    assert.deepEqual(before, []);
    await expectStatus(api(c.registry, 'PUT', '/projects/team', { public: true }), 204);
    const access = claimsOf((await token(c.registry, ['repository:team/pub:pull'])).json().token).access;
    assert.deepEqual(access, [{ type: 'repository', name: 'team/pub', actions: ['pull'] }]);
    const del = await api(c.registry, 'DELETE', '/projects/team');
    assert.equal(del.status, 409);
    assert.match(del.json().errors[0].message, /team\/pub/);
  });

  it('refuses a push over the project quota with DENIED naming the quota; only the admin sets it', async () => {
    assert.equal((await api(c.registry, 'PUT', '/projects/team', { quota_bytes: 1000 }, ALICE)).status, 403);
    await expectStatus(api(c.registry, 'POST', '/projects', { name: 'small', public: false }), 201);
    await expectStatus(api(c.registry, 'POST', '/projects/small/members', { username: ALICE.user, role: 'developer' }), 201);
    const headers = await bearer(c.registry, ['repository:small/app:pull,push'], ALICE);
    await c.registry.pushImage('small/app', '1', { headers });
    const used = (await expectStatus(api(c.registry, 'GET', '/projects/small'), 200)).json().used_bytes;
    assert.ok(used > 0);
    await expectStatus(api(c.registry, 'PUT', '/projects/small', { quota_bytes: used + 10 }), 204);
    assert.equal((await expectStatus(api(c.registry, 'GET', '/projects/small'), 200)).json().quota_bytes, used + 10);
    const big = Buffer.alloc(4096, 7);
    const refused = await c.registry.request('POST', `/v2/small/app/blobs/uploads/?digest=sha256:${createHash('sha256').update(big).digest('hex')}`, { headers: { ...headers, 'Content-Type': 'application/octet-stream' }, body: big });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().errors[0].code, 'DENIED');
    assert.match(refused.json().errors[0].message, new RegExp(`quota exceeded: project small may hold ${used + 10} bytes`));
    assert.equal((await expectStatus(api(c.registry, 'GET', '/projects/small'), 200)).json().used_bytes, used, 'the refused blob does not count');
    await expectStatus(api(c.registry, 'PUT', '/projects/small', { quota_bytes: null }), 204);
    await c.registry.pushImage('small/app', '2', { headers, layer: big });
  });

  it('keeps an audit log of pushes, pulls and deletes: the admin reads all, a member its projects\'', async () => {
    await c.registry.pushImage('library/audited', 'v1', { headers: await bearer(c.registry, ['repository:library/audited:pull,push'], ALICE) });
    await c.registry.pushImage('team/audited', 'v1', { headers: await bearer(c.registry, ['repository:team/audited:pull,push'], ALICE) });
    const bobPull = await c.registry.request('GET', '/v2/library/audited/manifests/v1', { headers: await bearer(c.registry, ['repository:library/audited:pull'], BOB) });
    assert.equal(bobPull.status, 200);
    const anonymous = await c.registry.request('GET', '/v2/library/audited/manifests/v1', { headers: await bearer(c.registry, ['repository:library/audited:pull']) });
    assert.equal(anonymous.status, 200);
    const del = await c.registry.request('DELETE', '/v2/library/audited/manifests/v1', { headers: await bearer(c.registry, ['repository:library/audited:delete'], { user: 'admin', password: ADMIN_PASSWORD }) });
    assert.equal(del.status, 202, del.body.toString());
    const entries = (await expectStatus(api(c.registry, 'GET', '/audit-logs?repository=library/audited'), 200)).json();
    assert.deepEqual(entries.map((e: { operation: string; user: string; reference: string }) => [e.operation, e.user, e.reference]), [
      ['delete', 'admin', 'v1'],
      ['pull', 'anonymous', 'v1'],
      ['pull', 'bob', 'v1'],
      ['push', 'alice', 'v1'],
    ]);
    assert.match(entries[0].time, /^\d{4}-\d\d-\d\dT/);
    const bobs = (await expectStatus(api(c.registry, 'GET', '/audit-logs', undefined, BOB), 200)).json();
    assert.ok(bobs.length > 0 && bobs.every((e: { repository: string }) => e.repository.startsWith('team/')), JSON.stringify(bobs));
    assert.equal((await c.registry.request('GET', '/api/v1/audit-logs')).status, 401);
  });

  it('needs the admin password on the first start, of at least 8 characters', async () => {
    const short = await TestRegistry.start(['--console'], { BERTH_REGISTRY_ADMIN_PASSWORD: 'short' }).then((r) => r.stop().then(() => 'started'), (e: Error) => e.message);
    assert.match(short, /at least 8 characters/);
    const none = await TestRegistry.start(['--console']).then((r) => r.stop().then(() => 'started'), (e: Error) => e.message);
    assert.match(none, /needs the admin password/);
    const dir = await mkdtemp(join(tmpdir(), 'berth-token-pw-'));
    try {
      await writeFile(join(dir, 'pw'), 'from-a-file-123\n');
      const fromFile = await TestRegistry.start(['--console', '--admin-password-file', join(dir, 'pw')]);
      try {
        assert.equal((await token(fromFile, [], { user: 'admin', password: 'from-a-file-123' })).status, 200);
      } finally {
        await fromFile.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('registry --console with skopeo', { skip: existsSync(SKOPEO) ? false : 'skopeo not installed' }, () => {
  let c: Console;
  let dir: string;
  const skopeo = (args: string[]) => run(SKOPEO, ['--insecure-policy', ...args]);

  before(async () => {
    c = await startConsole();
    dir = await mkdtemp(join(tmpdir(), 'berth-token-skopeo-'));
    await makeBusyboxOciLayout(join(dir, 'src'));
  });
  after(async () => {
    await c?.registry.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a robot pushes; a guest pulls but cannot push; anonymous sees the public project only', () => {
    const src = `oci:${join(dir, 'src')}:latest`;
    const dest = `docker://${c.registry.hostPort}/team/busybox:ci`;
    const robot = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${c.robot.name}:${c.robot.secret}`, src, dest]);
    assert.equal(robot.code, 0, robot.stderr);
    const guestPull = skopeo(['inspect', '--tls-verify=false', '--creds', `${BOB.user}:${BOB.password}`, dest]);
    assert.equal(guestPull.code, 0, guestPull.stderr);
    const guestPush = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${BOB.user}:${BOB.password}`, src, `docker://${c.registry.hostPort}/team/busybox:guest`]);
    assert.notEqual(guestPush.code, 0);
    assert.match(guestPush.stderr, /unauthorized|denied/i);
    const anonymousPrivate = skopeo(['inspect', '--tls-verify=false', dest]);
    assert.notEqual(anonymousPrivate.code, 0);
    const devPush = skopeo(['copy', '--dest-tls-verify=false', '--dest-creds', `${ALICE.user}:${ALICE.password}`, src, `docker://${c.registry.hostPort}/library/busybox:1`]);
    assert.equal(devPush.code, 0, devPush.stderr);
    const anonymousPublic = skopeo(['inspect', '--tls-verify=false', `docker://${c.registry.hostPort}/library/busybox:1`]);
    assert.equal(anonymousPublic.code, 0, anonymousPublic.stderr);
    const wrong = skopeo(['inspect', '--tls-verify=false', '--creds', `${ALICE.user}:wrong-password`, `docker://${c.registry.hostPort}/library/busybox:1`]);
    assert.notEqual(wrong.code, 0);
  });
});

describe('registry --console with the docker CLI and dockerd 20.10', { skip: dockerdSkipReason() ?? false }, () => {
  let c: Console;
  let dockerd: ReferenceDockerd;

  before(async () => {
    c = await startConsole();
    dockerd = await ReferenceDockerd.start();
    const imported = dockerd.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    await dockerd?.stop();
    await c?.registry.stop();
  });

  it('refuses a wrong password at docker login', () => {
    const bad = dockerd.docker(['login', '-u', ALICE.user, '--password-stdin', c.registry.hostPort], 'wrong password\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /incorrect username or password/);
  });

  it('a developer logs in, pushes to library and a private project, and pulls back', () => {
    const login = dockerd.docker(['login', '-u', ALICE.user, '--password-stdin', c.registry.hostPort], `${ALICE.password}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    for (const repo of ['library/busybox:v1', 'team/busybox:v1']) {
      const ref = `${c.registry.hostPort}/${repo}`;
      assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
      const push = dockerd.docker(['push', ref]);
      assert.equal(push.code, 0, push.stderr + push.stdout);
      assert.equal(dockerd.docker(['rmi', ref]).code, 0);
      const pull = dockerd.docker(['pull', ref]);
      assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    }
    assert.equal(dockerd.docker(['logout', c.registry.hostPort]).code, 0);
  });

  it('anonymous pulls from the public project only', () => {
    const ref = `${c.registry.hostPort}/library/busybox:v1`;
    dockerd.docker(['rmi', ref, `${c.registry.hostPort}/team/busybox:v1`]);
    const pub = dockerd.docker(['pull', ref]);
    assert.equal(pub.code, 0, pub.stderr + pub.stdout);
    const priv = dockerd.docker(['pull', `${c.registry.hostPort}/team/busybox:v1`]);
    assert.notEqual(priv.code, 0);
    assert.match(priv.stderr, /unauthorized|denied|not found/i);
    const push = dockerd.docker(['push', ref]);
    assert.notEqual(push.code, 0);
  });

  it('docker search shows anonymous callers the public project only, members their private ones', () => {
    const anonymous = dockerd.docker(['search', `${c.registry.hostPort}/busybox`]);
    assert.equal(anonymous.code, 0, anonymous.stderr);
    assert.match(anonymous.stdout, /\nlibrary\/busybox\s/);
    assert.doesNotMatch(anonymous.stdout, /team\/busybox/);
    assert.equal(dockerd.docker(['login', '-u', BOB.user, '--password-stdin', c.registry.hostPort], `${BOB.password}\n`).code, 0);
    const member = dockerd.docker(['search', `${c.registry.hostPort}/busybox`]);
    assert.equal(member.code, 0, member.stderr);
    assert.match(member.stdout, /\nteam\/busybox\s/);
    assert.equal(dockerd.docker(['logout', c.registry.hostPort]).code, 0);
  });

  it('a guest pulls but cannot push', () => {
    const login = dockerd.docker(['login', '-u', BOB.user, '--password-stdin', c.registry.hostPort], `${BOB.password}\n`);
    assert.equal(login.code, 0, login.stderr);
    const ref = `${c.registry.hostPort}/team/busybox:v1`;
    const pull = dockerd.docker(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.equal(dockerd.docker(['tag', 'busybox:latest', `${c.registry.hostPort}/team/guest:v1`]).code, 0);
    const push = dockerd.docker(['push', `${c.registry.hostPort}/team/guest:v1`]);
    assert.notEqual(push.code, 0);
    assert.match(push.stderr + push.stdout, /unauthorized|denied/i);
    assert.equal(dockerd.docker(['logout', c.registry.hostPort]).code, 0);
  });

  it('refuses a docker push over the project quota with the quota in the message', async () => {
    await expectStatus(api(c.registry, 'POST', '/projects', { name: 'tiny', public: false }), 201);
    await expectStatus(api(c.registry, 'PUT', '/projects/tiny', { quota_bytes: 100_000 }), 204);
    assert.equal(dockerd.docker(['login', '-u', 'admin', '--password-stdin', c.registry.hostPort], `${ADMIN_PASSWORD}\n`).code, 0);
    const ref = `${c.registry.hostPort}/tiny/busybox:v1`;
    assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
    const push = dockerd.docker(['push', ref]);
    assert.notEqual(push.code, 0);
    assert.match(push.stderr + push.stdout, /denied: quota exceeded: project tiny may hold 100000 bytes/);
    assert.equal(dockerd.docker(['logout', c.registry.hostPort]).code, 0);
  });

  it('a robot logs in by its Harbor name and pushes', () => {
    const login = dockerd.docker(['login', '-u', c.robot.name, '--password-stdin', c.registry.hostPort], `${c.robot.secret}\n`);
    assert.equal(login.code, 0, login.stderr);
    const ref = `${c.registry.hostPort}/team/from-ci:1`;
    assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
    const push = dockerd.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(dockerd.docker(['logout', c.registry.hostPort]).code, 0);
  });
});

describe('registry --console with berthd as the client', () => {
  let c: Console;
  let daemon: TestDaemon;

  before(async () => {
    c = await startConsole();
    daemon = await TestDaemon.start();
    assert.equal(daemon.docker(['import', await busyboxRootfs(), `${c.registry.hostPort}/team/bb:1`]).code, 0);
  });
  after(async () => {
    await daemon?.stop();
    await c?.registry.stop();
  });

  it('logs in through berthd, pushes and pulls a private image; a guest cannot push', () => {
    const ref = `${c.registry.hostPort}/team/bb:1`;
    const anonymous = daemon.docker(['push', ref]);
    assert.notEqual(anonymous.code, 0);
    const login = daemon.docker(['login', '-u', ALICE.user, '--password-stdin', c.registry.hostPort], `${ALICE.password}\n`);
    assert.equal(login.code, 0, login.stderr);
    const push = daemon.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr + push.stdout);
    assert.equal(daemon.docker(['rmi', ref]).code, 0);
    const pull = daemon.docker(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr + pull.stdout);
    assert.equal(daemon.docker(['login', '-u', BOB.user, '--password-stdin', c.registry.hostPort], `${BOB.password}\n`).code, 0);
    assert.equal(daemon.docker(['tag', ref, `${c.registry.hostPort}/team/bob:1`]).code, 0);
    const guestPush = daemon.docker(['push', `${c.registry.hostPort}/team/bob:1`]);
    assert.notEqual(guestPush.code, 0);
    assert.match(guestPush.stderr + guestPush.stdout, /unauthorized|denied/i);
  });
});

/**
 * Replication from `berth registry serve --console`: to a private
 * distribution 2.8 registry (Debian's docker-registry, htpasswd auth) on
 * every push of a matching tag, images and indexes alike; on demand to
 * another berth registry (token auth) under another namespace, with
 * cross-repository mounts; retries and the error when the target is gone;
 * the targets' passwords kept 0600 and never shown; the console page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { Browser } from 'playwright-core';
import { run, waitForValue } from './harness.js';
import { basicAuth, digestOf, makeBusyboxOciLayout, request, TestRegistry, type Response } from './registry-harness.js';

const SKOPEO = '/usr/bin/skopeo';
const DISTRIBUTION = '/usr/bin/docker-registry';
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const TARGET = { user: 'replicator', password: 'target-secret-9' };
const skip = !existsSync(SKOPEO) ? 'skopeo not installed' : !existsSync(DISTRIBUTION) ? 'docker-registry (distribution 2.8) not installed' : false;

function skopeo(args: string[]) {
  return run(SKOPEO, ['--insecure-policy', ...args]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private distribution 2.8 with htpasswd auth on a loopback port. */
async function startDistribution(dir: string): Promise<{ url: string; hostPort: string; child: ChildProcess }> {
  const port = await freePort();
  await writeFile(join(dir, 'htpasswd'), `${TARGET.user}:${bcrypt.hashSync(TARGET.password, 5)}\n`);
  await writeFile(join(dir, 'config.yml'), [
    'version: 0.1',
    'log: {level: info}',
    `storage: {filesystem: {rootdirectory: ${join(dir, 'data')}}, delete: {enabled: true}}`,
    `http: {addr: "127.0.0.1:${port}"}`,
    `auth: {htpasswd: {realm: distribution, path: ${join(dir, 'htpasswd')}}}`,
    '',
  ].join('\n'));
  const fd = openSync(join(dir, 'distribution.log'), 'a');
  const child = spawn(DISTRIBUTION, ['serve', join(dir, 'config.yml')], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const url = `http://127.0.0.1:${port}`;
  await waitForValue('distribution to answer', async () => {
    if (child.exitCode !== null) throw new Error(readFileSync(join(dir, 'distribution.log'), 'utf8'));
    const res = await request(url, 'GET', '/v2/').catch(() => undefined);
    return res?.status === 401 ? true : undefined;
  });
  return { url, hostPort: `127.0.0.1:${port}`, child };
}

describe('registry replication', { skip }, () => {
  let dir: string;
  let source: TestRegistry;
  let target: TestRegistry;
  let distribution: Awaited<ReturnType<typeof startDistribution>>;
  let layout: { manifestDigest: string; layerDigest: string };
  const admin = { authorization: basicAuth(ADMIN.user, ADMIN.password), 'content-type': 'application/json' };
  const api = (registry: TestRegistry, method: string, path: string, body?: unknown): Promise<Response> =>
    registry.request(method, `/api/v1${path}`, { headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });
  const push = (from: string, to: string, all = false) => {
    const res = skopeo(['copy', ...(all ? ['--all'] : []), '--dest-tls-verify=false', '--dest-creds', `${ADMIN.user}:${ADMIN.password}`, `oci:${join(dir, 'oci')}:${from}`, `docker://${source.hostPort}/${to}`]);
    assert.equal(res.code, 0, res.stderr);
  };
  const executions = async (rule?: string): Promise<any[]> => (await api(source, 'GET', `/projects/library/replication/executions${rule ? `?rule=${rule}` : ''}`)).json();
  /** The execution of `rule` that copied repository:tag (or the latest one), once it has finished. */
  const finished = (rule: string, tag?: string) =>
    waitForValue(`replication ${rule} ${tag ?? ''}`, async () => {
      const e = (await executions(rule)).find((x) => tag === undefined || x.artifacts.some((a: { tag: string }) => a.tag === tag));
      return e && (e.status === 'succeeded' || e.status === 'failed') ? e : undefined;
    }, 60_000);
  const onDistribution = (ref: string) => skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `${TARGET.user}:${TARGET.password}`, `docker://${distribution.hostPort}/${ref}`]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-replication-'));
    layout = await makeBusyboxOciLayout(join(dir, 'oci'), 'v1');
    distribution = await startDistribution(dir);
    source = await TestRegistry.start(['--console', '--delete-enabled'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password });
    target = await TestRegistry.start(['--console'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password });
  });
  after(async () => {
    distribution?.child.kill('SIGTERM');
    await source?.stop();
    await target?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  let toDistribution: string;
  let toNowhere: string;

  it('keeps the target password to itself (0600 file, never in the API)', async () => {
    const res = await api(source, 'POST', '/projects/library/replication/rules', {
      name: 'to-distribution',
      target: { url: distribution.url, username: TARGET.user, password: TARGET.password },
      repositories: 'bu*',
      tags: 'v*',
      trigger: 'event',
    });
    assert.equal(res.status, 201, res.body.toString());
    toDistribution = res.json().id;
    assert.deepEqual(res.json().target, { url: distribution.url, username: TARGET.user, has_password: true, insecure: false });
    const list = await api(source, 'GET', '/projects/library/replication/rules');
    assert.doesNotMatch(list.body.toString(), new RegExp(TARGET.password));
    const file = join(source.root, 'replication', 'state.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const anonymous = await source.request('GET', '/api/v1/projects/library/replication/rules');
    assert.equal(anonymous.status, 403, 'anonymous callers do not manage projects');
  });

  it('copies a pushed tag that matches to distribution 2.8, and leaves other tags alone', async () => {
    push('v1', 'library/busybox:latest');
    push('v1', 'library/busybox:v1');
    const done = await finished(toDistribution, 'v1');
    assert.equal(done.status, 'succeeded', done.error);
    assert.equal(done.trigger, 'event');
    const raw = onDistribution('library/busybox:v1');
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(digestOf(raw.stdout), layout.manifestDigest);
    const copy = skopeo(['copy', '--src-tls-verify=false', '--src-creds', `${TARGET.user}:${TARGET.password}`, `docker://${distribution.hostPort}/library/busybox:v1`, `oci:${join(dir, 'back')}:v1`]);
    assert.equal(copy.code, 0, copy.stderr);
    assert.ok(!(await executions(toDistribution)).some((e) => e.artifacts.some((a: { tag: string }) => a.tag === 'latest')), 'latest does not match v*');
    assert.notEqual(onDistribution('library/busybox:latest').code, 0);
  });

  it('copies an index with its children, and skips blobs the target has', async () => {
    push('multi', 'library/busybox:v2-multi', true);
    const done = await finished(toDistribution, 'v2-multi');
    assert.equal(done.status, 'succeeded', done.error);
    assert.deepEqual(done.blobs, { uploaded: 0, mounted: 0, skipped: 2 });
    const raw = onDistribution('library/busybox:v2-multi');
    assert.equal(raw.code, 0, raw.stderr);
    assert.equal(JSON.parse(raw.stdout).manifests[0].digest, layout.manifestDigest);
  });

  it('runs on demand to a berth registry under another namespace, mounting blobs it copied already', async () => {
    assert.equal((await api(target, 'POST', '/projects', { name: 'mirror', public: false })).status, 201);
    push('v1', 'library/other:v1');
    const created = await api(source, 'POST', '/projects/library/replication/rules', {
      name: 'to-berth',
      target: { url: target.url, username: ADMIN.user, password: ADMIN.password },
      repositories: '{busybox,other}',
      tags: 'v1',
      trigger: 'manual',
      dest_namespace: 'mirror',
    });
    assert.equal(created.status, 201, created.body.toString());
    const id = created.json().id;
    const started = await api(source, 'POST', `/projects/library/replication/rules/${id}/executions`);
    assert.equal(started.status, 201, started.body.toString());
    assert.equal(started.json().trigger, 'manual');
    const done = await finished(id);
    assert.equal(done.status, 'succeeded', done.error);
    assert.deepEqual(done.artifacts.map((a: { repository: string }) => a.repository).sort(), ['library/busybox', 'library/other']);
    assert.deepEqual(done.blobs, { uploaded: 2, mounted: 2, skipped: 0 });
    for (const name of ['mirror/busybox:v1', 'mirror/other:v1']) {
      const inspect = skopeo(['inspect', '--raw', '--tls-verify=false', '--creds', `${ADMIN.user}:${ADMIN.password}`, `docker://${target.hostPort}/${name}`]);
      assert.equal(inspect.code, 0, inspect.stderr);
      assert.equal(digestOf(inspect.stdout), layout.manifestDigest);
    }
  });

  it('retries, then fails with the error, when the target is unreachable', async () => {
    const created = await api(source, 'POST', '/projects/library/replication/rules', {
      name: 'to-nowhere',
      target: { url: `http://127.0.0.1:${await freePort()}` },
      tags: 'v1',
      trigger: 'manual',
    });
    const id = (toNowhere = created.json().id);
    await api(source, 'POST', `/projects/library/replication/rules/${id}/executions`);
    const done = await finished(id);
    assert.equal(done.status, 'failed');
    assert.equal(done.attempts, 3);
    assert.match(done.error, /ECONNREFUSED/);
  });

  describe('in the console', { skip: existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
    let browser: Browser;
    before(async () => {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    });
    after(async () => {
      await browser?.close();
    });

    it('shows the rules and executions with their status, and runs a rule', async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${source.url}/`);
      await page.click('#sign-in');
      await page.fill('#login-form input[name=username]', ADMIN.user);
      await page.fill('#login-form input[name=password]', ADMIN.password);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector(`#signed-in-as >> text=${ADMIN.user}`);
      await page.click('#projects a >> text=library');
      await page.waitForSelector(`#replication-rules tbody tr[data-key="${toDistribution}"]`);
      assert.doesNotMatch(await page.content(), new RegExp(TARGET.password));
      await page.waitForSelector('#replication-executions tbody tr >> text=succeeded');
      await page.waitForSelector('#replication-executions tbody tr >> text=failed');
      // The failed execution shows its three attempts and the error of the last.
      assert.ok(toNowhere, 'the rule of the retry test');
      const [failed] = await executions(toNowhere);
      const row = `#replication-executions tbody tr[data-key="${failed.id}"]`;
      assert.equal(await page.textContent(`${row} td.col-status`), 'failed');
      assert.equal(await page.textContent(`${row} td.col-attempts`), '3');
      assert.match((await page.textContent(`${row} td.col-error`))!, /ECONNREFUSED/);
      const before = (await executions(toDistribution)).length;
      await page.click('#replication-rules button >> text=Run to-distribution');
      await page.waitForSelector('[role=status] >> text=Rule to-distribution started');
      const run = await waitForValue('the console run', async () => ((await executions(toDistribution)).length > before ? (await finished(toDistribution)) : undefined));
      assert.equal(run.trigger, 'manual');
      assert.equal(run.status, 'succeeded', run.error);
    });
  });
});

describe('replication.parallel, and executions carried on across a restart', () => {
  let source: TestRegistry | undefined;
  let target: TestRegistry | undefined;
  const held = new Set<Socket>();
  /** A target that takes connections and never answers: executions that reach it stay running. */
  const silent = createServer((socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  const admin = { authorization: basicAuth(ADMIN.user, ADMIN.password), 'content-type': 'application/json' };
  const api = (method: string, path: string, body?: unknown): Promise<Response> =>
    source!.request(method, `/api/v1${path}`, { headers: admin, body: body === undefined ? undefined : JSON.stringify(body) });

  before(async () => {
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    source = await TestRegistry.start(['--console', '--replication-parallel', '2'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password });
  });
  const closeSilent = async () => {
    for (const socket of held) socket.destroy();
    if (silent.listening) await new Promise((r) => silent.close(r));
  };
  after(async () => {
    await closeSilent();
    await source?.stop();
    await target?.stop();
  });
  let ruleId = '';

  it('runs at most that many executions at once; the others wait as pending', async () => {
    const token = await source!.request('GET', '/service/token?service=berth-registry&scope=repository:library/held:pull,push', { headers: { authorization: admin.authorization } });
    assert.equal(token.status, 200, token.body.toString());
    await source!.pushImage('library/held', 'v1', { headers: { Authorization: `Bearer ${token.json().token}` } });
    const created = await api('POST', '/projects/library/replication/rules', {
      name: 'to-silence', target: { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` }, trigger: 'manual',
    });
    assert.equal(created.status, 201, created.body.toString());
    const id = (ruleId = created.json().id);
    for (let i = 0; i < 3; i++) assert.equal((await api('POST', `/projects/library/replication/rules/${id}/executions`)).status, 201);
    // Two reach the target and hang there (30 s per try, three tries): the third is still waiting its turn.
    await waitForValue('two executions at the target', async () => (held.size >= 2 ? true : undefined));
    const statuses = ((await api('GET', `/projects/library/replication/executions?rule=${id}`)).json() as Array<{ status: string }>).map((e) => e.status).sort();
    assert.deepEqual(statuses, ['pending', 'running', 'running']);
    assert.equal(held.size, 2, 'no third connection');
  });

  it('carries on after a restart with the executions a stop cut short, running and pending alike', async () => {
    assert.ok(ruleId, 'the rule of the test before');
    const port = (silent.address() as AddressInfo).port;
    assert.equal(await source!.terminate(), 0);
    // The target answers now, on the address the rule names.
    await closeSilent();
    target = await TestRegistry.start(['--addr', `127.0.0.1:${port}`]);
    source = await TestRegistry.start(['--console', '--replication-parallel', '2'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password }, source!.dir);
    const done = await waitForValue('the three executions to finish', async () => {
      const list = (await api('GET', `/projects/library/replication/executions?rule=${ruleId}`)).json() as Array<{ status: string; attempts: number }>;
      return list.every((e) => e.status === 'succeeded' || e.status === 'failed') ? list : undefined;
    }, 60_000);
    assert.deepEqual(done.map((e) => e.status), ['succeeded', 'succeeded', 'succeeded']);
    assert.match(source.log(), /carrying on with 3 executions the last run did not finish/);
    assert.equal((await target.request('HEAD', '/v2/library/held/manifests/v1')).status, 200, 'the tag is on the target');
  });
});

/**
 * Project policies of `berth registry serve --console` with real clients:
 * skopeo and docker (through a private dockerd 20.10) push; a webhook
 * receiver in this process gets Harbor's payloads (failing once, to see the
 * retry); immutable tags refuse overwrites and deletes; retention deletes
 * what its rules do not keep (dry run first), audits it, and gc reclaims the
 * blobs; the console (Chromium) shows and edits the policies.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, run } from './harness.js';
import { basicAuth, consoleApi, expectStatus, makeBusyboxOciLayout, TestRegistry, type Response, type Who } from './registry-harness.js';

const SKOPEO = '/usr/bin/skopeo';
const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const DEV = { user: 'dana', password: 'dana-password' };
const GUEST = { user: 'gus', password: 'gus-password-2' };
const SHOTS = process.env.BERTH_ARTEFACTS ? join(process.env.BERTH_ARTEFACTS, 'registry-policies') : '/tmp/berth-registry-policies-shots';

const api = (registry: TestRegistry, method: string, path: string, body?: unknown, as: Who = ADMIN): Promise<Response> => consoleApi(registry, method, path, body, as);
const must = expectStatus;

/** A registry with the private project "pol": dana its developer, gus its guest. */
async function startRegistry(): Promise<TestRegistry> {
  const registry = await TestRegistry.start(['--console', '--delete-enabled'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password });
  try {
    for (const u of [DEV, GUEST]) await must(api(registry, 'POST', '/users', { username: u.user, password: u.password }), 201);
    await must(api(registry, 'POST', '/projects', { name: 'pol', public: false }), 201);
    await must(api(registry, 'POST', '/projects/pol/members', { username: DEV.user, role: 'developer' }), 201);
    await must(api(registry, 'POST', '/projects/pol/members', { username: GUEST.user, role: 'guest' }), 201);
    return registry;
  } catch (err) {
    await registry.stop();
    throw err;
  }
}

async function bearer(registry: TestRegistry, scope: string, as: Who = DEV): Promise<Record<string, string>> {
  const res = await must(registry.request('GET', `/service/token?service=berth-registry&scope=${scope}`, { headers: { Authorization: basicAuth(as.user, as.password) } }), 200);
  return { Authorization: `Bearer ${res.json().token}` };
}

async function tags(registry: TestRegistry, repo: string): Promise<string[]> {
  const res = await must(registry.request('GET', `/v2/${repo}/tags/list`, { headers: await bearer(registry, `repository:${repo}:pull`) }), 200);
  return res.json().tags ?? [];
}

/** Waits for a condition (the registry works after the response: webhooks, retention after a push). */
async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A webhook receiver on loopback that records what it gets and fails the first `failures` requests with 500. */
class Receiver {
  readonly received: { headers: IncomingHttpHeaders; body: any }[] = [];
  failures = 0;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on('request', (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        receiver.received.push({ headers: req.headers, body: JSON.parse(body) });
        res.writeHead(receiver.failures-- > 0 ? 500 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  of(type: string, tag: string): { headers: IncomingHttpHeaders; body: any } | undefined {
    return this.received.find((r) => r.body.type === type && r.body.event_data.resources[0].tag === tag);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('registry policies with skopeo and raw pushes', { skip: existsSync(SKOPEO) ? false : 'skopeo not installed' }, () => {
  let registry: TestRegistry;
  let receiver: Receiver;
  let dir: string;
  const skopeo = (args: string[]) => run(SKOPEO, ['--insecure-policy', ...args]);
  const copy = (src: string, ref: string, extra: string[] = []) =>
    skopeo(['copy', ...extra, '--dest-tls-verify=false', '--dest-creds', `${DEV.user}:${DEV.password}`, `oci:${join(dir, 'src')}:${src}`, `docker://${registry.hostPort}/pol/${ref}`]);
  /** Pushes a small image of its own to pol/app:TAG as dana, a moment after the previous push so push times differ. */
  let lastPush = 0;
  const pushApp = async (tag: string) => {
    await until('the clock to move on', () => Date.now() > lastPush + 20);
    const pushed = await registry.pushImage('pol/app', tag, { headers: await bearer(registry, 'repository:pol/app:pull,push') });
    lastPush = Date.now();
    return pushed;
  };

  before(async () => {
    registry = await startRegistry();
    receiver = await Receiver.start();
    dir = await mkdtemp(join(tmpdir(), 'berth-policies-'));
    await makeBusyboxOciLayout(join(dir, 'src'));
  });
  after(async () => {
    await registry?.stop();
    await receiver?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('posts a push to a webhook in Harbor\'s shape, retried after a failure, with the delivery shown in the API', async () => {
    const created = await must(api(registry, 'POST', '/projects/pol/webhooks', { name: 'ci', url: receiver.url, auth_header: 'Bearer hook-secret' }), 201);
    assert.equal(created.json().has_auth_header, true);
    assert.equal(created.json().authHeader, undefined);
    receiver.failures = 1;
    const pushed = copy('latest', 'busybox:v1');
    assert.equal(pushed.code, 0, pushed.stderr);
    const got = await until('the retried push event', () => receiver.received.length >= 2 && receiver.received[1]);
    assert.deepEqual(receiver.received[0]!.body, got.body, 'the retry sends the same payload');
    assert.equal(got.headers.authorization, 'Bearer hook-secret');
    assert.equal(got.headers['content-type'], 'application/json');
    const digest = JSON.parse(skopeo(['inspect', '--tls-verify=false', '--creds', `${DEV.user}:${DEV.password}`, `docker://${registry.hostPort}/pol/busybox:v1`]).stdout).Digest;
    const { occur_at, ...rest } = got.body;
    assert.ok(Math.abs(occur_at - Date.now() / 1000) < 600, String(occur_at));
    assert.deepEqual(rest, {
      type: 'PUSH_ARTIFACT',
      operator: DEV.user,
      event_data: {
        resources: [{ digest, tag: 'v1', resource_url: `${registry.hostPort}/pol/busybox:v1` }],
        repository: { date_created: got.body.event_data.repository.date_created, name: 'busybox', namespace: 'pol', repo_full_name: 'pol/busybox', repo_type: 'private' },
      },
    });
    const hooks = await until('the delivery to be recorded as succeeded', async () => {
      const list = (await must(api(registry, 'GET', '/projects/pol/webhooks'), 200)).json();
      return list[0].deliveries[0]?.status === 'succeeded' && list;
    });
    assert.deepEqual(hooks[0].deliveries[0].attempts.map((a: { status_code: number }) => a.status_code), [500, 200]);
    // Pulls are not among the events asked for: no delivery for one.
    assert.equal(skopeo(['inspect', '--tls-verify=false', '--creds', `${DEV.user}:${DEV.password}`, `docker://${registry.hostPort}/pol/busybox:v1`]).code, 0);
  });

  it('refuses to overwrite or delete an immutable tag, and lets the same image be pushed again', async () => {
    await must(api(registry, 'PUT', '/projects/pol/immutability', { rules: [{ repositories: 'busybox', tags: 'v*' }] }), 200);
    const again = copy('latest', 'busybox:v1');
    assert.equal(again.code, 0, `the same manifest again changes nothing: ${again.stderr}`);
    const other = copy('multi', 'busybox:v1', ['--all']);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /denied: tag v1 of pol\/busybox is immutable and cannot be overwritten/);
    const admin = await bearer(registry, 'repository:pol/busybox:pull,delete', ADMIN);
    const byTag = await must(registry.request('DELETE', '/v2/pol/busybox/manifests/v1', { headers: admin }), 403);
    assert.equal(byTag.json().errors[0].code, 'DENIED');
    const digest = (await registry.request('HEAD', '/v2/pol/busybox/manifests/v1', { headers: admin })).headers['docker-content-digest'];
    await must(registry.request('DELETE', `/v2/pol/busybox/manifests/${digest}`, { headers: admin }), 403);
    const consoleDelete = await must(api(registry, 'DELETE', '/projects/pol/repositories/busybox/tags/v1'), 403);
    assert.match(consoleDelete.json().errors[0].message, /immutable and cannot be deleted/);
    // Nor does the repository go with it: all or nothing.
    const before = await tags(registry, 'pol/busybox');
    assert.ok(before.includes('v1'));
    await must(api(registry, 'DELETE', '/projects/pol/repositories/busybox'), 403);
    assert.deepEqual(await tags(registry, 'pol/busybox'), before);
    // A new tag that matches may be pushed once; a tag no rule selects may change.
    assert.equal(copy('multi', 'busybox:v2', ['--all']).code, 0);
    // The console's tag list names the platforms: an index's from its entries, an image's from its config.
    const listed = (await must(api(registry, 'GET', '/projects/pol/repositories/busybox/tags'), 200)).json().tags;
    for (const t of ['v1', 'v2']) assert.deepEqual(listed.find((x: { name: string }) => x.name === t).platforms, ['linux/amd64'], t);
    assert.equal(copy('latest', 'busybox:dev').code, 0);
    assert.equal(copy('multi', 'busybox:dev', ['--all']).code, 0);
    assert.deepEqual(await tags(registry, 'pol/busybox'), ['dev', 'v1', 'v2']);
    // Without the rule the tag goes as before.
    await must(api(registry, 'PUT', '/projects/pol/immutability', { rules: [] }), 200);
    await must(registry.request('DELETE', '/v2/pol/busybox/manifests/v2', { headers: admin }), 202);
    const deleted = await until('the delete event', () => receiver.of('DELETE_ARTIFACT', 'v2'));
    assert.equal(deleted.body.operator, ADMIN.user);
    assert.match(deleted.body.event_data.resources[0].digest, /^sha256:[0-9a-f]{64}$/);
  });

  it('retention: a dry run lists what would go, a run deletes it and audits it, and gc reclaims the blobs', async () => {
    const pushed = new Map<string, { layerDigest: string }>();
    for (const t of ['release-1', 't1', 't2', 't3', 't4']) pushed.set(t, await pushApp(t));
    const rules = [{ repositories: 'app', tags: '**', keep: 'latest', count: 2 }, { repositories: '**', tags: 'release-*', keep: 'all' }];
    const put = await must(api(registry, 'PUT', '/projects/pol/retention', { rules }), 200);
    assert.deepEqual(put.json().rules, rules);
    const dry = (await must(api(registry, 'POST', '/projects/pol/retention/run', { dry_run: true }), 200)).json();
    assert.equal(dry.dry_run, true);
    // pol/busybox is in scope of the release-* rule only, so its tags go too: retention lists what stays.
    assert.deepEqual(dry.deleted.map((d: { repository: string; tag: string }) => `${d.repository}:${d.tag}`).sort(), ['pol/app:t1', 'pol/app:t2', 'pol/busybox:dev', 'pol/busybox:v1']);
    assert.deepEqual(await tags(registry, 'pol/app'), ['release-1', 't1', 't2', 't3', 't4'], 'a dry run deletes nothing');
    const real = (await must(api(registry, 'POST', '/projects/pol/retention/run', {}), 200)).json();
    assert.deepEqual(real.deleted, dry.deleted);
    assert.equal(real.operator, ADMIN.user);
    assert.deepEqual(await tags(registry, 'pol/app'), ['release-1', 't3', 't4']);
    assert.deepEqual(await tags(registry, 'pol/busybox'), []);
    assert.deepEqual((await must(api(registry, 'GET', '/projects/pol/retention'), 200)).json().last_run.deleted, real.deleted);
    const audit = (await must(api(registry, 'GET', '/audit-logs?project=pol&operation=delete'), 200)).json();
    const byRetention = audit.filter((e: { user: string }) => e.user === 'system:retention').map((e: { repository: string; reference: string }) => `${e.repository}:${e.reference}`);
    assert.deepEqual(byRetention.sort(), real.deleted.map((d: { repository: string; tag: string }) => `${d.repository}:${d.tag}`).sort());
    const event = await until('the retention delete event', () => receiver.of('DELETE_ARTIFACT', 't1'));
    assert.equal(event.body.operator, 'system:retention');
    assert.equal(event.body.event_data.resources[0].resource_url, `${registry.hostPort}/pol/app:t1`);
    // The tags' blobs stay until gc, which reclaims them (nothing is pushing now).
    const head = async (layer: string) => (await registry.request('HEAD', `/v2/pol/app/blobs/${layer}`, { headers: await bearer(registry, 'repository:pol/app:pull') })).status;
    assert.equal(await head(pushed.get('t1')!.layerDigest), 200);
    const gc = run(process.execPath, [join(ROOT, 'bin', 'berth'), 'registry', 'gc', '--root', registry.root, '--delete-untagged']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.equal(await head(pushed.get('t1')!.layerDigest), 404);
    assert.equal(await head(pushed.get('t3')!.layerDigest), 200);
  });

  it('runs retention after each push when asked to, without holding up the push', async () => {
    await must(api(registry, 'PUT', '/projects/pol/retention', { run_after_push: true }), 200);
    await pushApp('t5');
    await until('t3 to be deleted after the push', async () => !(await tags(registry, 'pol/app')).includes('t3'));
    assert.deepEqual(await tags(registry, 'pol/app'), ['release-1', 't4', 't5']);
    // The report is saved once the run has finished, a moment after its deletes.
    const last = await until('the run\'s report', async () => {
      const run = (await must(api(registry, 'GET', '/projects/pol/retention'), 200)).json().last_run;
      return run.trigger === 'push' && run;
    });
    assert.equal(last.operator, DEV.user);
    assert.deepEqual(last.deleted.map((d: { tag: string }) => d.tag), ['t3']);
  });

  it('lets members read the rules, and only the admin and project admins change them or see webhooks', async () => {
    const asDev = (await must(api(registry, 'GET', '/projects/pol/retention', undefined, DEV), 200)).json();
    assert.equal(asDev.rules.length, 2);
    await must(api(registry, 'GET', '/projects/pol/immutability', undefined, GUEST), 200);
    await must(api(registry, 'PUT', '/projects/pol/retention', { rules: [] }, DEV), 403);
    await must(api(registry, 'POST', '/projects/pol/retention/run', { dry_run: true }, DEV), 403);
    await must(api(registry, 'GET', '/projects/pol/webhooks', undefined, DEV), 403);
    await must(registry.request('GET', '/api/v1/projects/pol/retention'), 404);
    const bad = await must(api(registry, 'PUT', '/projects/pol/retention', { rules: [{ keep: 'latest', count: 0 }] }), 400);
    assert.match(bad.json().errors[0].message, /count/);
    await must(api(registry, 'POST', '/projects/pol/webhooks', { name: 'x', url: 'ftp://example/' }), 400);
  });
});

describe('webhook deliveries across a registry restart', () => {
  let registry: TestRegistry | undefined;
  let receiver: Receiver;

  before(async () => {
    registry = await startRegistry();
    receiver = await Receiver.start();
  });
  after(async () => {
    await registry?.stop();
    await receiver?.stop();
  });

  it('saves a delivery cut off by a stop and carries on with it after the start, from the attempt it had reached', async () => {
    await must(api(registry!, 'POST', '/projects/pol/webhooks', { name: 'slow', url: receiver.url }), 201);
    // The receiver fails until the registry is down: the delivery is between retries when it stops.
    receiver.failures = Number.POSITIVE_INFINITY;
    await registry!.pushImage('pol/app', 'v1', { headers: await bearer(registry!, 'repository:pol/app:pull,push') });
    await until('the first attempt', () => receiver.received.length >= 1);
    assert.equal(await registry!.terminate(), 0);
    const saved = JSON.parse(await readFile(join(registry!.root, 'auth', 'webhook-deliveries.json'), 'utf8'));
    const [cut] = Object.values(saved.deliveries as Record<string, Array<{ id: string; status: string; attempts: unknown[] }>>)[0]!;
    assert.equal(cut!.status, 'pending');
    // An attempt on its way when the registry stopped may have reached the receiver without being recorded.
    const tried = cut!.attempts.length;
    assert.ok(tried >= 1 && tried <= receiver.received.length, `${tried} attempts saved`);
    assert.equal(JSON.parse(saved.pending[cut!.id]).event_data.resources[0].tag, 'v1', 'the body is kept with it');

    receiver.failures = 0;
    registry = await TestRegistry.start(['--console', '--delete-enabled'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password }, registry!.dir);
    const hooks = await until('the delivery to succeed after the restart', async () => {
      const list = (await must(api(registry!, 'GET', '/projects/pol/webhooks'), 200)).json();
      return list[0].deliveries[0]?.status === 'succeeded' && list;
    });
    const attempts = hooks[0].deliveries[0].attempts.map((a: { status_code?: number }) => a.status_code);
    assert.deepEqual(attempts, [...Array(tried).fill(500), 200], 'the attempts before the stop, then the one that got through');
    assert.deepEqual(receiver.received.at(-1)!.body, receiver.received[0]!.body, 'the same payload');
    assert.match(registry.log(), /carrying on with 1 deliveries the last run left unfinished/);
  });
});

describe('registry policies with the docker CLI and dockerd 20.10', { skip: dockerdSkipReason() ?? false }, () => {
  let registry: TestRegistry;
  let dockerd: ReferenceDockerd;

  before(async () => {
    registry = await startRegistry();
    dockerd = await ReferenceDockerd.start();
    const rootfs = await busyboxRootfs();
    for (const [cmd, ref] of [['["sh"]', 'busybox:latest'], ['["true"]', 'busybox:other']]) {
      const imported = dockerd.docker(['import', '-c', `CMD ${cmd}`, rootfs, ref!]);
      assert.equal(imported.code, 0, imported.stderr);
    }
  });
  after(async () => {
    await dockerd?.stop();
    await registry?.stop();
  });

  it('docker push of another image over an immutable tag fails with the registry\'s "denied" message', async () => {
    await must(api(registry, 'PUT', '/projects/pol/immutability', { rules: [{ repositories: '**', tags: 'v1' }] }), 200);
    const login = dockerd.docker(['login', '-u', DEV.user, '--password-stdin', registry.hostPort], `${DEV.password}\n`);
    assert.equal(login.code, 0, login.stderr);
    const ref = `${registry.hostPort}/pol/imm:v1`;
    assert.equal(dockerd.docker(['tag', 'busybox:latest', ref]).code, 0);
    const first = dockerd.docker(['push', ref]);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const same = dockerd.docker(['push', ref]);
    assert.equal(same.code, 0, `pushing the same image again: ${same.stderr}`);
    assert.equal(dockerd.docker(['tag', 'busybox:other', ref]).code, 0);
    const refused = dockerd.docker(['push', ref]);
    assert.notEqual(refused.code, 0);
    console.log(`# docker push over an immutable tag: ${refused.stderr.trim()}`);
    assert.match(refused.stderr, /denied: tag v1 of pol\/imm is immutable and cannot be overwritten/);
    assert.equal(dockerd.docker(['logout', registry.hostPort]).code, 0);
  });
});

describe('registry policies in the console (Chromium)', { skip: existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  let registry: TestRegistry;
  let receiver: Receiver;
  let browser: Browser;

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    registry = await startRegistry();
    receiver = await Receiver.start();
    for (const t of ['a1', 'a2', 'a3']) await registry.pushImage('pol/web', t, { headers: await bearer(registry, 'repository:pol/web:pull,push') });
    await must(api(registry, 'PUT', '/projects/pol/retention', { rules: [{ repositories: 'web', tags: 'a*', keep: 'latest', count: 1 }] }), 200);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await registry?.stop();
    await receiver?.stop();
  });

  async function policiesPage(who: Who): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${registry.url}/#/login`);
    await page.fill('#login-form input[name=username]', who.user);
    await page.fill('#login-form input[name=password]', who.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(`#signed-in-as >> text=${who.user}`);
    await page.click('#projects a >> text=pol');
    await page.click('#project-policies');
    await page.waitForSelector('#retention-rules');
    return page;
  }

  it('shows the retention rules and runs a dry run, adds an immutability rule and a webhook that then delivers', async () => {
    const page = await policiesPage(ADMIN);
    assert.equal(await page.textContent('#retention-rules tbody tr[data-key="1"] td.col-keep'), 'latest 1');
    await page.click('#retention-dry-run');
    await page.waitForSelector('#retention-report >> text=would delete 2 tags');
    assert.deepEqual(await page.$$eval('#retention-report li', (lis) => lis.map((li) => li.textContent)), ['pol/web:a1', 'pol/web:a2']);
    // Another rule, from the form: now every a* tag stays.
    await page.selectOption('#add-retention-rule select[name=keep]', 'all');
    await page.fill('#add-retention-rule input[name=tags]', 'a*');
    await page.click('#add-retention-rule button[type=submit]');
    await page.waitForSelector('#retention-rules tbody tr[data-key="2"]');
    assert.deepEqual((await must(api(registry, 'GET', '/projects/pol/retention'), 200)).json().rules[1], { repositories: '**', tags: 'a*', keep: 'all' });
    await page.fill('#add-immutable-rule input[name=repositories]', 'web');
    await page.fill('#add-immutable-rule input[name=tags]', 'a1');
    await page.click('#add-immutable-rule button[type=submit]');
    await page.waitForSelector('#immutable-rules tbody tr[data-key="1"]');
    assert.deepEqual((await must(api(registry, 'GET', '/projects/pol/immutability'), 200)).json().rules, [{ repositories: 'web', tags: 'a1' }]);
    await page.fill('#add-webhook input[name=name]', 'ci');
    await page.fill('#add-webhook input[name=url]', receiver.url);
    await page.click('#add-webhook button[type=submit]');
    await page.waitForSelector('#webhooks tbody tr[data-key="ci"]');
    await registry.pushImage('pol/web', 'b1', { headers: await bearer(registry, 'repository:pol/web:pull,push') });
    await until('the push event', () => receiver.of('PUSH_ARTIFACT', 'b1'));
    await until('the console to show the delivery', async () => {
      await page.click('#refresh-deliveries');
      return (await page.locator('#webhook-deliveries tbody tr td.col-status >> text=succeeded').count()) > 0;
    });
    assert.match((await page.textContent('#webhooks tbody tr[data-key="ci"] td.col-last'))!, /succeeded \(200\)/);
    await page.screenshot({ path: join(SHOTS, 'policies-admin.png'), fullPage: true });
  });

  it('shows a developer the rules without the forms, buttons or webhooks', async () => {
    const page = await policiesPage(DEV);
    await page.waitForSelector('#immutable-rules tbody tr[data-key="1"]');
    assert.equal(await page.locator('#add-retention-rule, #add-immutable-rule, #retention-run, #add-webhook').count(), 0);
    assert.equal(await page.isDisabled('#retention-after-push'), true);
    await page.screenshot({ path: join(SHOTS, 'policies-developer.png'), fullPage: true });
  });
});

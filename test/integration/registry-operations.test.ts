/**
 * How `berth registry serve --console` behaves over time and under load:
 * two pushes of an immutable tag at once set it once; retention runs on its
 * schedule (a run missed while the registry was down comes at start);
 * webhook deliveries outlive a restart, the last 20 per webhook; replication
 * runs executions side by side; the pull-through cache drops what it fetched
 * after its TTL, and what it keeps counts against the project's quota; the
 * console creates a proxy-cache project and sets the retention schedule.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { waitForValue } from './harness.js';
import { basicAuth, consoleApi, expectStatus, digestOf, TestRegistry, type Response, type Who } from './registry-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

const api = (registry: TestRegistry, method: string, path: string, body?: unknown, as: Who = ADMIN): Promise<Response> => consoleApi(registry, method, path, body, as);
const must = expectStatus;

function startConsole(dir?: string): Promise<TestRegistry> {
  return TestRegistry.start(['--console', '--delete-enabled'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password }, dir);
}

/** The admin's bearer token for `scope`. */
async function bearer(registry: TestRegistry, scope: string): Promise<Record<string, string>> {
  const res = await must(registry.request('GET', `/service/token?service=berth-registry&scope=${scope}`, { headers: { Authorization: basicAuth(ADMIN.user, ADMIN.password) } }), 200);
  return { Authorization: `Bearer ${res.json().token}` };
}

/** An image manifest over a config and one layer of its own, both pushed already. */
async function prepareManifest(registry: TestRegistry, name: string, variant: string, headers: Record<string, string>): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  const layer = gzipSync(Buffer.from(`layer ${variant}`));
  await registry.pushBlob(name, config, headers);
  await registry.pushBlob(name, layer, headers);
  return Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestOf(layer), size: layer.length }],
  }));
}

function putManifest(registry: TestRegistry, name: string, tag: string, manifest: Buffer, headers: Record<string, string>): Promise<Response> {
  return registry.request('PUT', `/v2/${name}/manifests/${tag}`, { headers: { ...headers, 'Content-Type': OCI_MANIFEST }, body: manifest });
}

async function tagsOf(registry: TestRegistry, name: string): Promise<string[]> {
  const res = await must(registry.request('GET', `/v2/${name}/tags/list`, { headers: await bearer(registry, `repository:${name}:pull`) }), 200);
  return res.json().tags ?? [];
}

/** A webhook receiver on loopback that answers 200. */
async function startReceiver(): Promise<{ server: Server; url: string; count: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, count: () => received };
}

const close = (server: Server | undefined) => new Promise<void>((r) => (server ? server.close(() => r()) : r()));

describe('registry operations: immutability under concurrency, retention schedule, webhook history', () => {
  let registry: TestRegistry;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    registry = await startConsole();
    receiver = await startReceiver();
    await must(api(registry, 'POST', '/projects', { name: 'ops', public: false }), 201);
  });
  after(async () => {
    await registry?.stop();
    await close(receiver?.server);
  });

  it('sets an immutable tag once when two pushes of it race: one is refused as DENIED', async () => {
    await must(api(registry, 'PUT', '/projects/ops/immutability', { rules: [{ repositories: 'imm', tags: 'v*' }] }), 200);
    const headers = await bearer(registry, 'repository:ops/imm:pull,push');
    const a = await prepareManifest(registry, 'ops/imm', 'a', headers);
    const b = await prepareManifest(registry, 'ops/imm', 'b', headers);
    for (let round = 1; round <= 6; round++) {
      const tag = `v${round}`;
      const [ra, rb] = await Promise.all([putManifest(registry, 'ops/imm', tag, a, headers), putManifest(registry, 'ops/imm', tag, b, headers)]);
      assert.deepEqual([ra.status, rb.status].sort(), [201, 403], `round ${round}: ${ra.body} / ${rb.body}`);
      const loser = ra.status === 403 ? ra : rb;
      assert.equal(loser.json().errors[0].code, 'DENIED');
      const winner = ra.status === 201 ? a : b;
      const head = await registry.request('HEAD', `/v2/ops/imm/manifests/${tag}`, { headers: { ...headers, Accept: OCI_MANIFEST } });
      assert.equal(head.headers['docker-content-digest'], digestOf(winner), `round ${round}: the tag names the manifest of the push that succeeded`);
    }
  });

  it('keeps the retention schedule, and runs a scheduled run missed while the registry was down once it starts', async () => {
    const headers = await bearer(registry, 'repository:ops/app:pull,push');
    const manifest = await prepareManifest(registry, 'ops/app', 'app', headers);
    for (const tag of ['t1', 't2', 't3']) await must(putManifest(registry, 'ops/app', tag, manifest, headers), 201);
    const set = await must(api(registry, 'PUT', '/projects/ops/retention', { rules: [{ repositories: 'app', tags: 't*', keep: 'latest', count: 1 }], schedule: { kind: 'interval', hours: 6 } }), 200);
    assert.deepEqual(set.json().schedule, { kind: 'interval', hours: 6 });
    const next = Date.parse(set.json().next_run);
    assert.ok(next > Date.now() + 5 * 3600 * 1000, `the first run is about 6 hours away, not ${set.json().next_run}`);
    assert.deepEqual(await tagsOf(registry, 'ops/app'), ['t1', 't2', 't3'], 'setting a schedule runs nothing yet');
    // Also a webhook, whose deliveries must outlive the restart below.
    await must(api(registry, 'POST', '/projects/ops/webhooks', { name: 'ci', url: receiver.url, events: ['PUSH_ARTIFACT'] }), 201);
    const pushing = await bearer(registry, 'repository:ops/hooked:pull,push');
    const hooked = await prepareManifest(registry, 'ops/hooked', 'h', pushing);
    for (let i = 1; i <= 22; i++) await must(putManifest(registry, 'ops/hooked', `h${i}`, hooked, pushing), 201);
    const hooks = async () => (await must(api(registry, 'GET', '/projects/ops/webhooks'), 200)).json()[0];
    const before = await waitForValue('22 deliveries, all done', async () => (receiver.count() >= 22 && (await hooks()).deliveries.every((d: { status: string }) => d.status === 'succeeded') ? await hooks() : undefined));
    assert.equal(before.deliveries.length, 20, 'the last 20 deliveries are kept');

    // The registry was down when the run was due: 7 hours ago it last ran.
    assert.equal(await registry.terminate(), 0);
    const file = join(registry.root, 'auth', 'policies.json');
    const state = JSON.parse(await readFile(file, 'utf8'));
    state.projects.ops.retention.lastScheduled = Date.now() - 7 * 3600 * 1000;
    await writeFile(file, JSON.stringify(state));
    registry = await startConsole(registry.dir);

    const report = await waitForValue('the scheduled run', async () => (await must(api(registry, 'GET', '/projects/ops/retention'), 200)).json().last_run ?? undefined);
    assert.equal(report.trigger, 'schedule');
    assert.equal(report.operator, 'scheduler');
    assert.equal(report.deleted.length, 2);
    assert.equal((await tagsOf(registry, 'ops/app')).length, 1);
    const after = (await must(api(registry, 'GET', '/projects/ops/retention'), 200)).json();
    assert.ok(Date.parse(after.next_run) > Date.now() + 5 * 3600 * 1000, 'the next run counts from the one that just ran');
    const audit = (await must(api(registry, 'GET', '/audit-logs?operation=delete'), 200)).json();
    assert.ok(JSON.stringify(audit).includes('system:retention'), 'the deletes are in the audit log');

    const kept = (await hooks()).deliveries;
    assert.deepEqual(kept, before.deliveries, 'the delivery history survived the restart');
    assert.equal(kept[0].tag, 'h22');
  });
});

/**
 * A loopback front for a registry that holds every request until release():
 * replication to it stays "running" as long as it is held.
 */
class HeldFront {
  private held: (() => void)[] = [];
  private open = false;
  private constructor(readonly server: Server, private readonly target: URL) {}

  static async start(target: string): Promise<HeldFront> {
    const server = createServer();
    const front = new HeldFront(server, new URL(target));
    server.on('request', (req, res) => (front.open ? front.forward(req, res) : front.held.push(() => front.forward(req, res))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return front;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    this.open = true;
    for (const go of this.held.splice(0)) go();
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const out = httpRequest({ host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: { ...req.headers, host: this.target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  }
}

describe('registry replication in parallel', () => {
  let source: TestRegistry;
  let target: TestRegistry;
  let front: HeldFront;

  before(async () => {
    source = await startConsole();
    target = await TestRegistry.start();
    front = await HeldFront.start(target.url);
    await must(api(source, 'POST', '/projects', { name: 'rep', public: false }), 201);
  });
  after(async () => {
    front?.release();
    await close(front?.server);
    await source?.stop();
    await target?.stop();
  });

  it('runs two executions at once, each with its status and attempts', async () => {
    const rule = (await must(api(source, 'POST', '/projects/rep/replication/rules', { name: 'out', target: { url: front.url }, repositories: '**', tags: '**', trigger: 'event' }), 201)).json();
    for (const repo of ['one', 'two']) {
      const headers = await bearer(source, `repository:rep/${repo}:pull,push`);
      await must(putManifest(source, `rep/${repo}`, 'v1', await prepareManifest(source, `rep/${repo}`, repo, headers), headers), 201);
    }
    const executions = async () => (await must(api(source, 'GET', `/projects/rep/replication/executions?rule=${rule.id}`), 200)).json() as any[];
    // Both wait on the held target at once: run one at a time, the second would stay pending.
    await waitForValue('both executions running', async () => ((await executions()).filter((e) => e.status === 'running').length === 2 ? true : undefined));
    front.release();
    const done = await waitForValue('both executions done', async () => {
      const all = await executions();
      return all.length === 2 && all.every((e) => e.status === 'succeeded' || e.status === 'failed') ? all : undefined;
    }, 60_000);
    for (const e of done) {
      assert.equal(e.status, 'succeeded', e.error);
      assert.equal(e.attempts, 1);
    }
    for (const repo of ['one', 'two']) assert.equal((await target.request('GET', `/v2/rep/${repo}/tags/list`)).json().tags[0], 'v1');
  });
});

describe('registry pull-through cache: TTL and quota', () => {
  let upstream: TestRegistry;
  let registry: TestRegistry;
  let image: Awaited<ReturnType<TestRegistry['pushImage']>>;

  /** Pulls lib/app:1 through `project` as anonymous (the projects are public); returns the bodies. */
  async function pull(project: string): Promise<{ manifest: Response; config: Response; layer: Response }> {
    const name = `${project}/lib/app`;
    const token = (await must(registry.request('GET', `/service/token?service=berth-registry&scope=repository:${name}:pull`), 200)).json().token;
    const headers = { Authorization: `Bearer ${token}`, Accept: OCI_MANIFEST };
    const manifest = await registry.request('GET', `/v2/${name}/manifests/1`, { headers });
    const config = await registry.request('GET', `/v2/${name}/blobs/${image.configDigest}`, { headers });
    const layer = await registry.request('GET', `/v2/${name}/blobs/${image.layerDigest}`, { headers });
    return { manifest, config, layer };
  }

  const used = async (project: string): Promise<number> => (await must(api(registry, 'GET', `/projects/${project}`), 200)).json().used_bytes;

  before(async () => {
    upstream = await TestRegistry.start();
    image = await upstream.pushImage('lib/app', '1');
    registry = await startConsole();
    for (const [project, ttl] of [['keep', 0], ['brief', 1], ['small', 0]] as const) {
      await must(api(registry, 'POST', '/projects', { name: project, public: true }), 201);
      const set = await must(api(registry, 'PUT', `/projects/${project}/proxy`, { upstream: { url: upstream.url }, ttl_seconds: ttl }), 200);
      assert.equal(set.json().ttl_seconds, ttl);
    }
  });
  after(async () => {
    await registry?.stop();
    await upstream?.stop();
  });

  it('defaults to distribution\'s 168h TTL', async () => {
    await must(api(registry, 'POST', '/projects', { name: 'dflt', public: true }), 201);
    assert.equal((await must(api(registry, 'PUT', '/projects/dflt/proxy', { upstream: { url: upstream.url } }), 200)).json().ttl_seconds, 168 * 3600);
  });

  it('counts what it caches against the quota, serving without keeping a blob the quota has no room for', async () => {
    const config = (await upstream.request('GET', `/v2/lib/app/blobs/${image.configDigest}`)).body;
    const layer = (await upstream.request('GET', `/v2/lib/app/blobs/${image.layerDigest}`)).body;
    const total = image.manifest.length + config.length + layer.length;
    await must(api(registry, 'PUT', '/projects/small', { quota_bytes: total - 1 }), 204);
    for (const project of ['keep', 'brief', 'small']) {
      const got = await pull(project);
      assert.equal(got.manifest.status, 200, got.manifest.body.toString());
      assert.equal(digestOf(got.layer.body), image.layerDigest, `${project}: the layer is served whole`);
    }
    assert.equal(await used('keep'), total, 'what the cache keeps is in the project\'s usage');
    assert.equal(await used('small'), total - layer.length, 'the layer was served but not kept');
    assert.match(registry.log(), /not cached: the project's quota has no room for it/);
  });

  it('drops what it fetched once the TTL has passed: after the upstream stops, only the unexpired cache serves', async () => {
    await upstream.terminate();
    const keep = await pull('keep');
    assert.equal(keep.manifest.status, 200, 'no TTL: served from the cache');
    assert.equal(digestOf(keep.layer.body), image.layerDigest);
    assert.notEqual((await pull('small')).layer.status, 200, 'the layer the quota had no room for is not in the cache');
    await waitForValue('the brief cache to expire', async () => ((await pull('brief')).manifest.status === 404 ? true : undefined));
    // The manifest and each blob expire one after the other: the usage reaches 0 once the last has gone.
    await waitForValue('nothing of the brief cache left in the project', async () => ((await used('brief')) === 0 ? true : undefined));
    assert.equal((await pull('keep')).manifest.status, 200);
  });
});

describe('registry console: proxy-cache projects and the retention schedule (Chromium)', { skip: existsSync(CHROMIUM) ? false : 'chromium not installed' }, () => {
  let upstream: TestRegistry;
  let registry: TestRegistry;
  let browser: Browser;

  before(async () => {
    upstream = await TestRegistry.start();
    await upstream.pushImage('lib/app', '1');
    registry = await startConsole();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await registry?.stop();
    await upstream?.stop();
  });

  async function signIn() {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${registry.url}/#/login`);
    await page.fill('#login-form input[name=username]', ADMIN.user);
    await page.fill('#login-form input[name=password]', ADMIN.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(`#signed-in-as >> text=${ADMIN.user}`);
    return page;
  }

  it('creates a proxy-cache project from the form, which then serves the upstream\'s images', async () => {
    const page = await signIn();
    await page.fill('#create-project input[name=project]', 'mirror');
    await page.check('#create-project input[name=public]');
    await page.check('#create-project input[name=proxy_cache]');
    await page.fill('#create-project input[name=proxy_url]', upstream.url);
    await page.fill('#create-project input[name=proxy_username]', 'puller');
    await page.fill('#create-project input[name=proxy_password]', 'puller-secret');
    await page.uncheck('#create-project input[name=proxy_verify]');
    await page.fill('#create-project input[name=proxy_ttl_hours]', '24');
    await page.click('#create-project button[type=submit]');
    await page.waitForSelector('#projects a >> text=mirror');
    const proxy = (await must(api(registry, 'GET', '/projects/mirror/proxy'), 200)).json();
    assert.deepEqual(proxy.upstream, { url: upstream.url, username: 'puller', has_password: true, insecure: true });
    assert.equal(proxy.ttl_seconds, 24 * 3600);
    await page.click('#projects a >> text=mirror');
    await page.waitForSelector('#project-proxy');
    assert.match((await page.textContent('#project-proxy'))!, new RegExp(`${upstream.url.replace(/[.]/g, '\\.')} as puller, certificate not verified, content kept 24 h`));
    const token = (await must(registry.request('GET', '/service/token?service=berth-registry&scope=repository:mirror/lib/app:pull'), 200)).json().token;
    const got = await registry.request('GET', '/v2/mirror/lib/app/manifests/1', { headers: { Authorization: `Bearer ${token}`, Accept: OCI_MANIFEST } });
    assert.equal(got.status, 200, got.body.toString());
  });

  it('changes a proxy-cache project\'s upstream on its page; a blank secret keeps the saved one', async () => {
    const page = await signIn();
    await page.click('#projects a >> text=mirror');
    await page.waitForSelector('#proxy-settings');
    assert.equal(await page.inputValue('#proxy-settings input[name=proxy_url]'), upstream.url);
    assert.equal(await page.inputValue('#proxy-settings input[name=proxy_username]'), 'puller');
    assert.equal(await page.inputValue('#proxy-settings input[name=proxy_password]'), '', 'the secret is never sent back');
    // Only the TTL and the certificate check change: the secret stays.
    await page.fill('#proxy-settings input[name=proxy_ttl_hours]', '48');
    await page.check('#proxy-settings input[name=proxy_verify]');
    await page.click('#proxy-settings button[type=submit]');
    await page.waitForSelector('#project-proxy >> text=certificate verified, content kept 48 h');
    assert.deepEqual((await must(api(registry, 'GET', '/projects/mirror/proxy'), 200)).json(), {
      upstream: { url: upstream.url, username: 'puller', has_password: true, insecure: false }, tag_ttl_seconds: 60, ttl_seconds: 48 * 3600,
    });
    // No Access ID: no credentials at all.
    await page.fill('#proxy-settings input[name=proxy_username]', '');
    await page.click('#proxy-settings button[type=submit]');
    await page.waitForSelector(`#project-proxy >> text=${upstream.url}, certificate verified`);
    assert.deepEqual((await must(api(registry, 'GET', '/projects/mirror/proxy'), 200)).json().upstream, { url: upstream.url, username: null, has_password: false, insecure: false });
    // An upstream the server refuses leaves the saved one as it was, saying why.
    await page.fill('#proxy-settings input[name=proxy_url]', 'http://127.0.0.1:5000/some/path');
    await page.click('#proxy-settings button[type=submit]');
    await page.waitForSelector('text=url must be http(s)://host[:port]');
    assert.equal((await must(api(registry, 'GET', '/projects/mirror/proxy'), 200)).json().upstream.url, upstream.url);
  });

  it('takes the project back when the upstream is refused, saying why', async () => {
    const page = await signIn();
    await page.fill('#create-project input[name=project]', 'broken');
    await page.check('#create-project input[name=proxy_cache]');
    await page.fill('#create-project input[name=proxy_url]', 'http://127.0.0.1:5000/some/path');
    await page.click('#create-project button[type=submit]');
    await page.waitForSelector('text=url must be http(s)://host[:port]');
    assert.equal((await api(registry, 'GET', '/projects/broken')).status, 404);
  });

  it('sets the retention schedule and shows the next run', async () => {
    await must(api(registry, 'POST', '/projects', { name: 'sched', public: false }), 201);
    const page = await signIn();
    await page.goto(`${registry.url}/#/projects/sched/policies`);
    await page.waitForSelector('#retention-schedule');
    assert.equal(await page.textContent('#retention-next-run'), 'No scheduled runs');
    await page.selectOption('#retention-schedule select[name=kind]', 'daily');
    await page.fill('#retention-schedule input[name=time]', '04:30');
    await page.click('#retention-schedule button[type=submit]');
    await page.waitForSelector('#retention-next-run >> text=Next run:');
    assert.match((await page.textContent('#retention-next-run'))!, / 04:30:00 UTC$/);
    assert.deepEqual((await must(api(registry, 'GET', '/projects/sched/retention'), 200)).json().schedule, { kind: 'daily', time: '04:30' });
  });
});

/**
 * The seed notes' deployment run for real: WordPress + MariaDB from
 * test/fixtures/wordpress/compose (images built from Debian packages, see
 * wordpress-images.ts). `up -d`, the WordPress installer on the published
 * port, the installer run so the database holds a site, `down` then `up`
 * finding it again in the bind-mounted data dir, then the scaled file:
 * `scale db=1 wordpress=2` with `ports: - "80"` gives two containers on two
 * host ports, and haproxy in the project balances over both. The same with
 * berth compose against berthd, docker-compose 1.29 against berthd and berth
 * compose against a private dockerd 20.10, each run's containers compared
 * with berth's on berthd. Traffic goes to 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DOCKER_CLI, dockerdSkipReason, ReferenceDockerd, ROOT, run, TestDaemon, waitForValue, type RunResult } from './harness.js';
import { cachedWordpressImagesTar, FIXTURES, provideWordpressImages, wordpressImagesTar, type ImageTarget } from './wordpress-images.js';

const PROJECT = 'e2ewp';
const DOCKER_COMPOSE = '/usr/bin/docker-compose';
/** MariaDB's first start (system tables, then the user) and WordPress's first answer take a while on a loaded host. */
const READY_MS = 180_000;

/** One compose tool against one daemon, in one project directory. */
class Deployment {
  constructor(
    readonly name: string,
    private readonly daemon: ImageTarget,
    readonly dir: string,
    readonly port: number,
    /** docker-compose 1.29 joins names with "_", compose v2 with "-". */
    readonly separator: '-' | '_',
    readonly tool: (args: string[], env: Record<string, string>) => RunResult,
  ) {}

  compose(args: string[]): RunResult {
    const r = this.tool(['-f', join(this.dir, 'docker-compose.yml'), '-p', PROJECT, ...args], { WORDPRESS_PORT: String(this.port) });
    assert.equal(r.code, 0, `${this.name}: compose ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** The berth CLI against the daemon (it speaks to dockerd as well). */
  berth(args: string[]): RunResult {
    return run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', this.daemon.host, ...args]);
  }

  container(service: string, n: number): string {
    return [PROJECT, service, n].join(this.separator);
  }

  /** The rows of the wp_users table, asked over TCP as the MYSQL_USER the db image created. */
  wordpressUsers(): RunResult {
    const sql = 'SELECT user_login FROM wp_users';
    return this.berth(['exec', this.container('db', 1), 'mariadb', '-h', '127.0.0.1', '-u', 'wordpress', '-pwordpress', 'wordpress', '-N', '-e', sql]);
  }

  projectContainers(): string[] {
    const r = this.berth(['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Names}}']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).sort();
  }
}

/** `wanted` when nothing listens on it (on every address, as a published port binds), else any free port. */
function freePort(wanted: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(wanted, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', () => (wanted === 0 ? reject(new Error('no free port')) : freePort(0).then(resolve, reject)));
  });
}

interface HttpAnswer {
  status: number;
  location?: string;
  body: string;
}

/** One HTTP request to 127.0.0.1, redirects not followed; undefined when nothing answers yet. */
function http(port: number, path: string, form?: Record<string, string>): Promise<HttpAnswer | undefined> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return new Promise((resolve) => {
    const headers = body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } : {};
    const req = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers, timeout: 20_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end(body);
  });
}

/** Waits until GET `path` answers as `wanted` says; fails with the last answer. */
async function httpUntil(port: number, path: string, what: string, wanted: (a: HttpAnswer) => boolean): Promise<HttpAnswer> {
  let last: HttpAnswer | undefined;
  try {
    return await waitForValue(what, async () => {
      last = await http(port, path);
      if (last && wanted(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
      return undefined;
    }, READY_MS);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last answer: ${last ? `${last.status} ${last.location ?? ''} ${last.body.slice(0, 300)}` : 'none'}`);
  }
}

/** What is compared between the runs: per container, by service and number. */
interface ContainerView {
  image: string;
  labels: Record<string, string>;
  ports: string[];
  running: boolean;
  restart: string;
  networks: string[];
  binds: string[];
}
type Snapshot = Record<string, ContainerView>;

const COMPARED_LABELS = ['com.docker.compose.project', 'com.docker.compose.service', 'com.docker.compose.container-number', 'com.docker.compose.oneoff', 'com.docker.compose.project.working_dir'];

function snapshot(d: Deployment): Snapshot {
  const view: Snapshot = {};
  for (const name of d.projectContainers()) {
    const r = d.berth(['inspect', name]);
    assert.equal(r.code, 0, r.stderr);
    const [c] = JSON.parse(r.stdout) as Array<{
      Name: string; Config: { Image: string; Labels: Record<string, string> }; State: { Running: boolean };
      HostConfig: { RestartPolicy: { Name: string }; PortBindings: Record<string, Array<{ HostPort: string }> | null> };
      NetworkSettings: { Networks: Record<string, unknown> }; Mounts: Array<{ Type: string; Source: string; Destination: string }>;
    }>;
    const labels = c!.Config.Labels;
    const key = `${labels['com.docker.compose.service']}-${labels['com.docker.compose.container-number']}`;
    assert.equal(c!.Name, `/${d.container(labels['com.docker.compose.service']!, Number(labels['com.docker.compose.container-number']))}`);
    assert.match(labels['com.docker.compose.config-hash'] ?? '', /^[0-9a-f]{64}$/, `${name}: config-hash`);
    view[key] = {
      image: c!.Config.Image,
      labels: Object.fromEntries(COMPARED_LABELS.map((l) => [l, labels[l]!])),
      // The fixed host port as it is; an ephemeral one only as "some port".
      ports: Object.entries(c!.HostConfig.PortBindings ?? {}).map(([p, b]) => `${p}->${(b ?? []).map((x) => (x.HostPort === String(d.port) ? x.HostPort : x.HostPort ? 'ephemeral' : 'any')).join(',')}`).sort(),
      running: c!.State.Running,
      restart: c!.HostConfig.RestartPolicy.Name,
      networks: Object.keys(c!.NetworkSettings.Networks).sort(),
      binds: c!.Mounts.filter((m) => m.Type === 'bind').map((m) => `${m.Source}:${m.Destination}`).sort(),
    };
  }
  return view;
}

/** The scale step: berth compose has the seed's `scale` form; until it lands, `up --scale`. */
function scaleToTwo(d: Deployment): void {
  const hasScale = d.separator === '_' || /^\s+scale\s/m.test(d.berth(['compose', '--help']).stdout);
  d.compose(hasScale ? ['scale', 'db=1', 'wordpress=2'] : ['up', '-d', '--scale', 'wordpress=2']);
}

/** The hostnames (short IDs) of the containers that answered GET /whoami.txt through haproxy. */
async function backendsSeen(d: Deployment, expected: string[]): Promise<string[]> {
  const seen = new Set<string>();
  await waitForValue(`requests through haproxy to reach ${expected.join(' and ')}`, async () => {
    const a = await http(d.port, '/whoami.txt');
    if (a?.status === 200) seen.add(a.body.trim());
    return expected.every((e) => seen.has(e)) ? true : undefined;
  }, READY_MS).catch((err: Error) => {
    throw new Error(`${err.message}; seen: ${[...seen].join(', ') || 'none'}`);
  });
  return [...seen].sort();
}

async function scenario(d: Deployment): Promise<Snapshot> {
  await copyFile(join(FIXTURES, 'compose', 'docker-compose.yml'), join(d.dir, 'docker-compose.yml'));
  await copyFile(join(FIXTURES, 'compose', 'haproxy.cfg'), join(d.dir, 'haproxy.cfg'));
  d.compose(['up', '-d']);
  assert.deepEqual(d.projectContainers(), [d.container('db', 1), d.container('wordpress', 1)]);

  // WordPress on :PORT sends a new site to its installer once the database answers.
  const home = await httpUntil(d.port, '/', 'the redirect to the WordPress installer', (a) => a.status === 302);
  assert.equal(home.location, `http://127.0.0.1:${d.port}/wp-admin/install.php`);
  const installer = await http(d.port, '/wp-admin/install.php');
  assert.equal(installer?.status, 200);
  assert.match(installer!.body, /<title>WordPress &rsaquo; Installation<\/title>/);
  // Running the installer writes the site's tables and its admin user into MariaDB.
  const installed = await http(d.port, '/wp-admin/install.php?step=2', {
    weblog_title: 'berth', user_name: 'admin', admin_password: 'E2e-secret-123', admin_password2: 'E2e-secret-123',
    pw_weak: '1', admin_email: 'admin@example.com', blog_public: '0', language: '',
  });
  assert.equal(installed?.status, 200, installed?.body.slice(0, 500));
  assert.equal(d.wordpressUsers().stdout.trim(), 'admin');

  // down removes the containers and the network; the site lives on in ./db_data.
  d.compose(['down']);
  assert.deepEqual(d.projectContainers(), []);
  assert.ok(existsSync(join(d.dir, 'db_data', 'wordpress')), 'the database directory is on the host');
  d.compose(['up', '-d']);
  await httpUntil(d.port, '/', 'the installed site after down and up', (a) => a.status === 200);
  assert.equal(d.wordpressUsers().stdout.trim(), 'admin', 'the admin user survived down/up');

  // The seed's scaling: an ephemeral host port for wordpress, haproxy in front on :PORT.
  await copyFile(join(FIXTURES, 'compose', 'docker-compose.scaled.yml'), join(d.dir, 'docker-compose.yml'));
  d.compose(['up', '-d']);
  scaleToTwo(d);
  const wordpress = [1, 2].map((n) => d.container('wordpress', n));
  assert.deepEqual(d.projectContainers(), [d.container('db', 1), d.container('haproxy', 1), ...wordpress].sort());
  const hostPorts = wordpress.map((w) => d.berth(['port', w, '80/tcp']).stdout.split('\n')[0]!.split(':').pop()!);
  assert.ok(hostPorts.every((p) => /^\d+$/.test(p)) && hostPorts[0] !== hostPorts[1], `two host ports: ${hostPorts.join(' ')}`);
  // The login page, since the site itself redirects any other host:port to its URL on the front port.
  for (const p of hostPorts) await httpUntil(Number(p), '/wp-login.php', `wordpress on host port ${p}`, (a) => a.status === 200);
  const hostnames = wordpress.map((w) => d.berth(['inspect', '-f', '{{.Config.Hostname}}', w]).stdout.trim());
  assert.deepEqual(await backendsSeen(d, hostnames), [...hostnames].sort(), 'haproxy reaches both wordpress containers and nothing else');
  return snapshot(d);
}

function compare(a: Snapshot | undefined, b: Snapshot, names: string): void {
  if (!a) return; // the berthd run did not get that far: nothing to compare with
  const strip = (s: Snapshot) => JSON.parse(JSON.stringify(s).replaceAll(/"\/tmp\/[^"/]+/g, '"DIR')) as Snapshot;
  assert.deepEqual(strip(b), strip(a), `${names}: the containers differ`);
}

describe('the seed\'s WordPress deployment with compose', { skip: !DOCKER_CLI && 'docker CLI not installed' }, () => {
  const dirs: string[] = [];
  let reference: Snapshot | undefined;
  const projectDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-wp-'));
    dirs.push(dir);
    return dir;
  };
  /** 8000 as in the seed when it is free, else any free port. */
  let port: number;
  const berthCompose = (host: string) => (args: string[], env: Record<string, string>) =>
    run(process.execPath, [join(ROOT, 'bin', 'berth'), '-H', host, 'compose', ...args], undefined, env, 600_000);

  before(async () => {
    port = await freePort(8000);
  });
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  /** Runs the scenario and always takes the project down (with its data dir), whatever failed. */
  async function deploy(d: Deployment): Promise<Snapshot> {
    try {
      return await scenario(d);
    } finally {
      d.tool(['-f', join(d.dir, 'docker-compose.yml'), '-p', PROJECT, 'down', '-v', '--remove-orphans', '-t', '1'], { WORDPRESS_PORT: String(d.port) });
    }
  }

  test('berth compose against berthd', async () => {
    const daemon = await TestDaemon.start();
    try {
      await provideWordpressImages(daemon);
      reference = await deploy(new Deployment('berth compose on berthd', daemon, await projectDir(), port, '-', berthCompose(daemon.host)));
    } finally {
      await daemon.stop();
    }
  });

  test('docker-compose 1.29 against berthd', { skip: !existsSync(DOCKER_COMPOSE) && 'docker-compose not installed' }, async () => {
    const daemon = await TestDaemon.start();
    const dc = (args: string[], env: Record<string, string>) => run(DOCKER_COMPOSE, args, undefined, { ...env, DOCKER_HOST: daemon.host }, 600_000);
    try {
      await provideWordpressImages(daemon);
      compare(reference, await deploy(new Deployment('docker-compose 1.29 on berthd', daemon, await projectDir(), port, '_', dc)), 'docker-compose 1.29 vs berth compose');
    } finally {
      await daemon.stop();
    }
  });

  test('berth compose against dockerd 20.10', { skip: dockerdSkipReason() }, async () => {
    // The private dockerd has no bridge to build with: a berthd builds when the cache has no tar yet.
    if (!(await cachedWordpressImagesTar())) {
      const builder = await TestDaemon.start();
      await wordpressImagesTar(builder).finally(() => builder.stop());
    }
    const dockerd = await ReferenceDockerd.start();
    try {
      const target = { docker: (args: string[]) => dockerd.docker(args), host: dockerd.host };
      await provideWordpressImages(target);
      compare(reference, await deploy(new Deployment('berth compose on dockerd', target, await projectDir(), port, '-', berthCompose(dockerd.host))), 'dockerd vs berthd');
    } finally {
      await dockerd.stop();
    }
  });
});

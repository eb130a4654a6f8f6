/**
 * What the dashboard's browser tests share: two real engines (a private
 * berthd and a private dockerd 20.10, both reached over tcp:// with mutual
 * TLS, each with busybox imported as bb:latest), `berth dashboard
 * serve` watching both as hosts "berth" and "docker", headless Chromium
 * (Debian's, driven by playwright-core), and a screenshots directory
 * ($BERTH_ARTEFACTS/dashboard, default /tmp/berth-dashboard-shots).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, TestDaemon, waitForValue, type RunResult } from './harness.js';
import { freePort, makeCerts, type CertSet } from './tls-certs.js';
import { recordNotices } from './notices.js';

const CHROMIUM = '/usr/bin/chromium';
export const skipDashboard = !existsSync(CHROMIUM) ? 'chromium not installed (apt-get install chromium)' : dockerdSkipReason() ?? false;
export const SHOTS = process.env.BERTH_ARTEFACTS ? join(process.env.BERTH_ARTEFACTS, 'dashboard') : '/tmp/berth-dashboard-shots';
export const ADMIN_PASSWORD = 'admin password 1';

export function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Keeps every distinct text `selector` shows from now on, to tell a streamed render from a final one. */
export async function recordRenders(page: Page, selector: string): Promise<() => Promise<string[]>> {
  await page.evaluate((sel) => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => {
      const text = document.querySelector(sel)?.textContent;
      if (text && text !== seen[seen.length - 1]) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, selector);
  return () => page.evaluate(() => (window as unknown as { seen: string[] }).seen);
}

/**
 * Sorts `table` by each of its columns in turn, twice: every column but the
 * actions is sortable, the header says which way (aria-sort), and the second
 * click gives the first order reversed (but in `volatile` columns, whose
 * values change live). Returns the sortable columns' keys.
 */
export async function checkSortable(page: Page, table: string, volatile: string[] = []): Promise<string[]> {
  const columns = await page.$$eval(`${table} thead th[data-key]`, (th) => th.map((h) => ({ key: (h as HTMLElement).dataset.key!, sortable: h.querySelector('button.sort') !== null })));
  const rows = () => page.$$eval(`${table} tbody tr`, (tr) => tr.map((r) => (r as HTMLElement).dataset.key));
  for (const { key, sortable } of columns) assert.equal(sortable, key !== 'actions', `${table}: column ${key} ${sortable ? 'is' : 'is not'} sortable`);
  const sortable = columns.filter((c) => c.sortable).map((c) => c.key);
  for (const key of sortable) {
    const header = `${table} th[data-key="${key}"]`;
    await page.click(`${header} button`);
    const first = { sort: await page.getAttribute(header, 'aria-sort'), rows: await rows() };
    await page.click(`${header} button`);
    const second = { sort: await page.getAttribute(header, 'aria-sort'), rows: await rows() };
    assert.deepEqual([first.sort, second.sort].sort(), ['ascending', 'descending'], `${table} by ${key}`);
    // A column whose numbers change as it is sorted (live CPU and memory) only has to say which way it sorts.
    if (!volatile.includes(key)) assert.deepEqual(second.rows, [...first.rows].reverse(), `${table} by ${key}: the other way`);
  }
  return sortable;
}

/**
 * Starts `berth dashboard serve ARGS` as its own process (without the
 * environment's BERTH_DASHBOARD_ADMIN_PASSWORD unless `env` sets it);
 * resolves with its URL (http or https) once it listens.
 */
export async function serveDashboard(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  const { BERTH_DASHBOARD_ADMIN_PASSWORD: _unset, ...inherited } = process.env;
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'berth'), 'dashboard', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, ...env } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const url = await waitForValue(`the dashboard to listen (${output})`, async () => {
      if (child.exitCode !== null) throw new Error(`berth dashboard exited with ${child.exitCode}: ${output}`);
      return /listening on (https?:\/\/\S+),/.exec(output)?.[1];
    });
    return { child, url };
  } catch (err) {
    await stopDashboard(child);
    throw err;
  }
}

/** SIGTERM, then waits for the exit. */
export async function stopDashboard(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

export class DashboardRig {
  berthd?: TestDaemon;
  /** The CA and certificates berthd's TLS uses (a server certificate for 127.0.0.1); tests may serve other things with them. */
  certs?: CertSet;
  dockerd?: ReferenceDockerd;
  url = '';
  browser?: Browser;
  private dashboard?: ChildProcess;
  /** berthd's registry certificates (--registry-certs-dir): <certsD>/<host:port>/ca.crt, as dockerd's /etc/docker/certs.d. */
  get certsD(): string {
    return join(this.dir, 'certs.d');
  }

  /** Run on stop() before the engines go: what a test made on them. */
  private readonly cleanups: Array<() => void | Promise<void>> = [];

  private constructor(readonly dir: string) {}

  onStop(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** Starts everything; on failure, stops what had started. `berthdArgs` are added to berthd's flags. */
  static async start(prefix: string, berthdArgs: string[] = []): Promise<DashboardRig> {
    await mkdir(SHOTS, { recursive: true });
    console.log(`# dashboard screenshots: ${SHOTS}`);
    const rig = new DashboardRig(await mkdtemp(join(tmpdir(), prefix)));
    try {
      await rig.launch(berthdArgs);
    } catch (err) {
      await rig.stop();
      throw err;
    }
    return rig;
  }

  private async launch(berthdArgs: string[]): Promise<void> {
    const certs = await makeCerts(this.dir);
    this.certs = certs;
    const tcp = `127.0.0.1:${await freePort()}`;
    const tar = await busyboxRootfs();
    await mkdir(this.certsD);
    this.berthd = await TestDaemon.start(['-H', `tcp://${tcp}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey,
      '--registry-certs-dir', this.certsD, ...berthdArgs]);
    // dockerd is reached over tcp:// with mutual TLS too (the same CA and certificates); its socket stays for the tests' own CLI.
    const dockerdTcp = `127.0.0.1:${await freePort()}`;
    this.dockerd = await ReferenceDockerd.start(['-H', `tcp://${dockerdTcp}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]);
    ok(this.berthd.berth(['import', tar, 'bb:latest']), 'import into berthd');
    ok(this.dockerd.docker(['import', tar, 'bb:latest']), 'import into dockerd');
    await writeFile(join(this.dir, 'hosts.yml'), [
      `- name: berth`, `  host: tcp://${tcp}`, `  tlscacert: ${certs.ca}`, `  tlscert: ${certs.clientCert}`, `  tlskey: ${certs.clientKey}`,
      `- name: docker`, `  host: tcp://${dockerdTcp}`, `  tlscacert: ${certs.ca}`, `  tlscert: ${certs.clientCert}`, `  tlskey: ${certs.clientKey}`, '',
    ].join('\n'));
    await writeFile(join(this.dir, 'admin-password'), `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
    this.url = await this.startDashboard();
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }

  /** Starts `berth dashboard serve` as its own process; resolves with its URL. */
  private async startDashboard(): Promise<string> {
    const served = await serveDashboard(['--addr', '127.0.0.1:0', '--data', join(this.dir, 'data'),
      '--hosts', join(this.dir, 'hosts.yml'), '--admin-password-file', join(this.dir, 'admin-password')]);
    this.dashboard = served.child;
    return served.url;
  }

  /** A signed-in browser context; the test closes it. */
  async signIn(user = 'admin', password = ADMIN_PASSWORD, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser!.newContext(viewport ? { viewport } : {});
    await recordNotices(context);
    const page = await context.newPage();
    await page.goto(`${this.url}/`);
    await page.fill('#login-form input[name=username]', user);
    await page.fill('#login-form input[name=password]', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#whoami');
    return { context, page };
  }

  /** Stops the browser, the dashboard and both engines (their containers first), and removes the directory. */
  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await stopDashboard(this.dashboard);
    for (const fn of this.cleanups.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
    await this.berthd?.stop();
    if (this.dockerd) {
      const ids = this.dockerd.docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length) this.dockerd.docker(['rm', '-f', ...ids]);
      await this.dockerd.stop();
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Two real engines and a dashboard in front of them, for the dashboard's
 * Playwright tests beyond dashboard.test.ts: a private berthd reached over
 * tcp:// with mutual TLS (named "berth") and a private dockerd 20.10 on a
 * unix socket ("docker"), both with busybox as bb:latest, and `berth
 * dashboard serve` as its own process with an admin. stop() removes
 * everything, whatever start() got to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, ROOT, TestDaemon, waitForValue, type RunResult } from './harness.js';
import { freePort, makeCerts } from './tls-certs.js';

export const CHROMIUM = '/usr/bin/chromium';
export const RIG_SKIP: string | false = !existsSync(CHROMIUM) ? 'chromium not installed (apt-get install chromium)' : dockerdSkipReason() ?? false;
export const ADMIN = { user: 'admin', password: 'rig admin password' };

export function must(r: RunResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr}`);
  return r.stdout.trim();
}

export class DashboardRig {
  dir = '';
  berthd?: TestDaemon;
  dockerd?: ReferenceDockerd;
  url = '';
  browser?: Browser;
  private dashboard?: ChildProcess;
  /** Run on stop() before the engines go: what a test made on them. */
  private readonly cleanups: Array<() => void | Promise<void>> = [];

  onStop(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  async start(extraDashboardArgs: string[] = []): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'berth-dashrig-'));
    const certs = await makeCerts(this.dir);
    const tcp = `127.0.0.1:${await freePort()}`;
    const rootfs = await busyboxRootfs();
    this.berthd = await TestDaemon.start(['-H', `tcp://${tcp}`, '--tlsverify', '--tlscacert', certs.ca, '--tlscert', certs.serverCert, '--tlskey', certs.serverKey]);
    this.dockerd = await ReferenceDockerd.start();
    must(this.berthd.berth(['import', rootfs, 'bb:latest']), 'import into berthd');
    must(this.dockerd.docker(['import', rootfs, 'bb:latest']), 'import into dockerd');
    const hostsFile = join(this.dir, 'hosts.yml');
    await writeFile(hostsFile, `- {name: berth, host: "tcp://${tcp}", tlscacert: "${certs.ca}", tlscert: "${certs.clientCert}", tlskey: "${certs.clientKey}"}\n- {name: docker, host: "${this.dockerd.host}"}\n`);
    await writeFile(join(this.dir, 'admin-password'), ADMIN.password, { mode: 0o600 });
    this.url = await this.serve(['--hosts', hostsFile, '--admin-password-file', join(this.dir, 'admin-password'), ...extraDashboardArgs]);
    const { chromium } = await import('playwright-core');
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }

  /** The dashboard's process id (for the bench's memory readings). */
  get dashboardPid(): number | undefined {
    return this.dashboard?.pid;
  }

  private async serve(args: string[]): Promise<string> {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'berth'), 'dashboard', 'serve', '--addr', '127.0.0.1:0', '--data', join(this.dir, 'data'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.dashboard = child;
    let log = '';
    for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => (log += d.toString()));
    return waitForValue(`the dashboard to listen (${log})`, async () => {
      if (child.exitCode !== null) throw new Error(`berth dashboard exited with ${child.exitCode}: ${log}`);
      return /listening on (http:\/\/\S+),/.exec(log)?.[1];
    });
  }

  /** A browser context signed in as `user`; close it when done. */
  async signIn(user = ADMIN.user, password = ADMIN.password, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.browser!.newContext(viewport ? { viewport } : {});
    const page = await context.newPage();
    await page.goto(`${this.url}/`);
    await page.fill('#login-form input[name=username]', user);
    await page.fill('#login-form input[name=password]', password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#whoami');
    return { context, page };
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    const child = this.dashboard;
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    for (const fn of this.cleanups.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
    await this.berthd?.stop();
    await this.dockerd?.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

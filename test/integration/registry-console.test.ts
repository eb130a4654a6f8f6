/**
 * The registry console (`berth registry serve --console`) in headless
 * Chromium (Debian's chromium, driven by playwright-core), with the seed
 * scenario: the admin signs in and creates a project and its members in the
 * console (and makes the developer a member of `library`, there from the
 * start as in Harbor), a developer runs `docker login` and `docker push`
 * (library/busybox:v1 among them) through a private dockerd 20.10, the console
 * shows each repository with its size, push time and pull command (which then
 * works) and its last pull, a guest sees it without
 * a delete button, anonymous visitors see public projects only, the admin
 * deletes a tag and then the whole repository. Screenshots go to
 * $BERTH_ARTEFACTS/registry-console (default /tmp/berth-registry-console-shots).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, type RunResult } from './harness.js';
import { basicAuth, TestRegistry } from './registry-harness.js';
import { recordNotices, waitForNotice } from './notices.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) ? 'chromium not installed (apt-get install chromium)' : dockerdSkipReason() ?? false;
const SHOTS = process.env.BERTH_ARTEFACTS ? join(process.env.BERTH_ARTEFACTS, 'registry-console') : '/tmp/berth-registry-console-shots';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const DEV = { user: 'dana', password: 'dana-password' };
const GUEST = { user: 'gus', password: 'gus-password-2' };
const PROJECT = 'seed';

function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout;
}

describe('registry console in Chromium, with docker push through dockerd 20.10', { skip }, () => {
  let registry: TestRegistry;
  let dockerd: ReferenceDockerd;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** What docker push reported; docker pull then fetches the manifest by it. */
  let pushedDigest = '';

  async function open(viewport?: { width: number; height: number }): Promise<Page> {
    const context = await browser.newContext(viewport ? { viewport } : {});
    contexts.push(context);
    await recordNotices(context);
    const page = await context.newPage();
    await page.goto(`${registry.url}/`);
    return page;
  }

  async function signIn(who: { user: string; password: string }, viewport?: { width: number; height: number }): Promise<Page> {
    const page = await open(viewport);
    await page.click('#sign-in');
    await page.fill('#login-form input[name=username]', who.user);
    await page.fill('#login-form input[name=password]', who.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(`#signed-in-as >> text=${who.user}`);
    return page;
  }

  const projectNames = (page: Page) => page.$$eval('#projects tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.key));
  const repository = `[data-repository="${PROJECT}/busybox"]`;

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    console.log(`# registry console screenshots: ${SHOTS}`);
    registry = await TestRegistry.start(['--console', '--delete-enabled'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password });
    // Accounts come from the API (the console does not manage users yet); projects and members from the console.
    for (const u of [DEV, GUEST]) {
      const res = await registry.request('POST', '/api/v1/users', {
        headers: { Authorization: basicAuth(ADMIN.user, ADMIN.password), 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: u.user, password: u.password }),
      });
      assert.equal(res.status, 201, res.body.toString());
    }
    dockerd = await ReferenceDockerd.start();
    ok(dockerd.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']), 'import');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await dockerd?.stop();
    await registry?.stop();
  });

  /** Adds members on the project page that is open, through its form. */
  async function addMembers(page: Page, members: ReadonlyArray<readonly [string, string]>): Promise<void> {
    await page.waitForSelector('#add-member');
    for (const [who, role] of members) {
      await page.fill('#add-member input[name=member]', who);
      await page.selectOption('#add-member select[name=role]', role);
      await page.click('#add-member button[type=submit]');
      await page.waitForSelector(`#members tbody tr[data-key="${who}"] >> text=${role}`);
    }
  }

  const asAdmin = { headers: { Authorization: basicAuth(ADMIN.user, ADMIN.password) } };
  const tagsOf = async (project: string) => (await registry.request('GET', `/api/v1/projects/${project}/repositories/busybox/tags`, asAdmin)).json();
  /** An ISO time as the console writes it in <time dateTime>: whole seconds. */
  const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

  /** `docker push` (logged in already) of busybox as <project>/busybox:v1: the digest and manifest size it reports. */
  function dockerPush(project: string): { digest: string; size: number } {
    const ref = `${registry.hostPort}/${project}/busybox:v1`;
    ok(dockerd.docker(['tag', 'busybox:latest', ref]), 'tag');
    const push = ok(dockerd.docker(['push', ref]), 'docker push');
    const [, digest, size] = /v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(push) ?? [];
    assert.ok(digest, push);
    return { digest: digest!, size: Number(size) };
  }

  /**
   * Opens the project's page and checks the row of <project>/busybox:v1: the
   * digest docker pushed, its size, when it was pushed and its pull command.
   */
  async function showsTag(page: Page, project: string, pushed: { digest: string; size: number }, since: number): Promise<{ row: string; command: string }> {
    await page.click('nav >> text=Projects');
    await page.click(`#projects a >> text=${project}`);
    const row = `[data-repository="${project}/busybox"] tbody tr[data-key="v1"]`;
    await page.waitForSelector(row);
    assert.equal(await page.getAttribute(`${row} td.col-digest code`, 'title'), pushed.digest);
    // The size shown is the manifest's plus its config and layers: more than the manifest alone.
    assert.match((await page.textContent(`${row} td.col-size`))!, /^\d+(\.\d+)? (kB|MB)$/);
    const tag = (await tagsOf(project)).tags.find((t: { name: string }) => t.name === 'v1');
    assert.ok(tag.size > pushed.size, JSON.stringify(tag));
    // Pushed: the tag's time, during this test.
    assert.ok(tag.pushed >= since - 1 && tag.pushed <= Date.now() / 1000, JSON.stringify(tag));
    assert.equal(await page.getAttribute(`${row} td.col-pushed time`, 'dateTime'), iso(tag.pushed));
    assert.match((await page.textContent(`${row} td.col-pushed`))!, /^(just now|\d+ minutes? ago)$/);
    const command = await page.inputValue(`${row} td.col-pull input`);
    assert.equal(command, `docker pull ${registry.hostPort}/${project}/busybox:v1`);
    return { row, command };
  }

  it('lets the admin sign in, create a private project, add its members, and make the developer a member of library', async () => {
    const page = await signIn(ADMIN);
    await page.waitForSelector('#projects tbody tr[data-key="library"]');
    await page.fill('#create-project input[name=project]', PROJECT);
    await page.click('#create-project button[type=submit]');
    await page.waitForSelector(`#projects tbody tr[data-key="${PROJECT}"]`);
    assert.equal(await page.textContent(`#projects tbody tr[data-key="${PROJECT}"] td.col-access`), 'private');
    await page.screenshot({ path: join(SHOTS, 'projects-admin.png'), fullPage: true });
    await page.click(`#projects a >> text=${PROJECT}`);
    await addMembers(page, [[DEV.user, 'developer'], [GUEST.user, 'guest']]);
    await page.click('nav >> text=Projects');
    await page.click('#projects a >> text=library');
    await addMembers(page, [[DEV.user, 'developer']]);
    // The server holds what the forms did.
    const members = async (project: string) => (await registry.request('GET', `/api/v1/projects/${project}/members`, asAdmin)).json();
    assert.deepEqual(await members(PROJECT), [{ username: DEV.user, role: 'developer' }, { username: GUEST.user, role: 'guest' }]);
    assert.deepEqual(await members('library'), [{ username: DEV.user, role: 'developer' }]);
  });

  it('shows what a developer pushed with docker to library and to the project, with its size, push time and a pull command that works', async () => {
    const since = Date.now() / 1000;
    ok(dockerd.docker(['login', '-u', DEV.user, '--password-stdin', registry.hostPort], `${DEV.password}\n`), 'docker login');
    const library = dockerPush('library');
    const seed = dockerPush(PROJECT);
    pushedDigest = seed.digest;
    const page = await signIn(ADMIN);
    await showsTag(page, 'library', library, since);
    await page.screenshot({ path: join(SHOTS, 'library-admin.png'), fullPage: true });
    const { row, command } = await showsTag(page, PROJECT, seed, since);
    // One image, not an index: its platform comes from its config (dockerd's import gives the host's).
    assert.equal(await page.textContent(`${row} td.col-platforms`), `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`);
    assert.equal(await page.textContent(`${row} td.col-pulled`), 'never');
    await page.screenshot({ path: join(SHOTS, 'project-admin.png'), fullPage: true });
    // The command as shown pulls the image back, and the pull shows as the tag's last.
    ok(dockerd.docker(['rmi', `${registry.hostPort}/${PROJECT}/busybox:v1`]), 'rmi');
    const pulled = ok(dockerd.docker(command.split(' ').slice(1)), 'docker pull');
    assert.match(pulled, new RegExp(`Digest: ${seed.digest}`));
    ok(dockerd.docker(['logout', registry.hostPort]), 'logout');
    const after = await tagsOf(PROJECT);
    assert.ok(after.tags[0].pulled >= after.tags[0].pushed, JSON.stringify(after));
    await page.reload();
    await page.waitForSelector(`${row} td.col-pulled time`);
    assert.equal(await page.getAttribute(`${row} td.col-pulled time`, 'dateTime'), iso(after.tags[0].pulled));
  });

  it('shows a guest the project without delete buttons, and the admin with them', async () => {
    const guest = await signIn(GUEST, { width: 390, height: 844 });
    await guest.waitForSelector(`#projects tbody tr[data-key="${PROJECT}"]`);
    await guest.click(`#projects a >> text=${PROJECT}`);
    await guest.waitForSelector(`${repository} tbody tr[data-key="v1"]`);
    assert.equal(await guest.textContent('#project-role'), 'guest');
    assert.equal(await guest.locator(`${repository} button.danger`).count(), 0);
    assert.equal(await guest.locator('#add-member').count(), 0);
    await guest.screenshot({ path: join(SHOTS, 'project-guest-phone.png'), fullPage: true });
    // The server refuses the delete as well, not just the page.
    const refused = await guest.evaluate(async (p) => (await fetch(`/api/v1/projects/${p}/repositories/busybox/tags/v1`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, PROJECT);
    assert.equal(refused, 403);
    const admin = await signIn(ADMIN);
    await admin.click(`#projects a >> text=${PROJECT}`);
    await admin.waitForSelector(`${repository} tbody tr[data-key="v1"] button.danger`);
  });

  it('shows anonymous visitors public projects only, until a project is made public', async () => {
    const anonymous = await open();
    await anonymous.waitForSelector('#projects tbody tr[data-key="library"]');
    assert.deepEqual(await projectNames(anonymous), ['library']);
    await anonymous.screenshot({ path: join(SHOTS, 'projects-anonymous.png'), fullPage: true });
    const admin = await signIn(ADMIN);
    await admin.click(`#projects a >> text=${PROJECT}`);
    await admin.check('#project-public');
    await waitForNotice(admin, `Project ${PROJECT} is now public`, false);
    await anonymous.reload();
    await anonymous.waitForSelector(`#projects tbody tr[data-key="${PROJECT}"]`);
    assert.deepEqual(await projectNames(anonymous), ['library', PROJECT]);
    await admin.uncheck('#project-public');
    await waitForNotice(admin, `Project ${PROJECT} is now private`, false);
  });

  it('creates a robot account and shows its secret once, which then logs in', async () => {
    const admin = await signIn(ADMIN);
    await admin.click(`#projects a >> text=${PROJECT}`);
    await admin.fill('#create-robot input[name=robot]', 'ci');
    await admin.click('#create-robot button[type=submit]');
    await admin.waitForSelector('#robot-secret');
    const secret = await admin.inputValue('#robot-secret input');
    await admin.waitForSelector(`#robots tbody tr[data-key="robot$${PROJECT}+ci"]`);
    await admin.screenshot({ path: join(SHOTS, 'robot-created.png'), fullPage: true });
    const token = await registry.request('GET', `/service/token?service=berth-registry&scope=repository:${PROJECT}/busybox:pull,push`, {
      headers: { Authorization: basicAuth(`robot$${PROJECT}+ci`, secret) },
    });
    assert.equal(token.status, 200, token.body.toString());
    const claims = JSON.parse(Buffer.from(token.json().token.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims.access, [{ type: 'repository', name: `${PROJECT}/busybox`, actions: ['pull'] }]);
    // Shown once: after a reload the secret is nowhere on the page.
    await admin.reload();
    await admin.waitForSelector(`#robots tbody tr[data-key="robot$${PROJECT}+ci"]`);
    assert.equal(await admin.locator('#robot-secret').count(), 0);
    assert.equal((await admin.content()).includes(secret), false);
  });

  it('deletes a tag as the admin and shows the push, pull and delete in the audit log', async () => {
    const admin = await signIn(ADMIN);
    await admin.click(`#projects a >> text=${PROJECT}`);
    admin.once('dialog', (d) => void d.accept());
    await admin.click(`${repository} tbody tr[data-key="v1"] button.danger`);
    await waitForNotice(admin, `Deleted ${PROJECT}/busybox:v1`, false);
    await admin.waitForSelector(`${repository} >> text=No tags.`);
    await admin.click('nav >> text=Audit log');
    await admin.waitForSelector('#audit tbody tr');
    const rows = await admin.$$eval('#audit tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
    assert.deepEqual(rows.filter((r) => r[2] === `${PROJECT}/busybox`).map((r) => `${r[0]} ${r[1]} ${r[3]}`), [
      `delete ${ADMIN.user} v1`,
      `pull ${DEV.user} ${pushedDigest}`,
      `push ${DEV.user} v1`,
    ]);
    await admin.screenshot({ path: join(SHOTS, 'audit.png'), fullPage: true });
  });

  it('deletes a whole repository as the admin, not as a guest: it leaves the console and the catalog, and the audit log has each delete', async () => {
    const ref = `${registry.hostPort}/${PROJECT}/busybox:v2`;
    ok(dockerd.docker(['login', '-u', DEV.user, '--password-stdin', registry.hostPort], `${DEV.password}\n`), 'docker login');
    ok(dockerd.docker(['tag', 'busybox:latest', ref]), 'tag');
    ok(dockerd.docker(['push', ref]), 'docker push');
    ok(dockerd.docker(['logout', registry.hostPort]), 'logout');
    const guest = await signIn(GUEST);
    await guest.click(`#projects a >> text=${PROJECT}`);
    await guest.waitForSelector(`${repository} tbody tr[data-key="v2"]`);
    assert.equal(await guest.locator(`${repository} button.delete-repository`).count(), 0);
    const refused = await guest.evaluate(async (p) => (await fetch(`/api/v1/projects/${p}/repositories/busybox`, { method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status, PROJECT);
    assert.equal(refused, 403);

    const admin = await signIn(ADMIN);
    await admin.click(`#projects a >> text=${PROJECT}`);
    admin.once('dialog', (d) => void d.accept());
    assert.ok((await registry.request('GET', `/api/v1/projects/${PROJECT}`, { headers: { Authorization: basicAuth(ADMIN.user, ADMIN.password) } })).json().used_bytes > 0);
    await admin.click(`${repository} button.delete-repository`);
    await waitForNotice(admin, `Deleted repository ${PROJECT}/busybox`, false);
    await admin.waitForSelector(`text=No repositories yet`);
    assert.equal(await admin.locator(repository).count(), 0);
    const headers = { Authorization: basicAuth(ADMIN.user, ADMIN.password) };
    assert.equal((await registry.request('GET', `/api/v1/projects/${PROJECT}/repositories`, { headers })).body.toString(), '[]');
    // What it held no longer counts against the project's quota.
    assert.equal((await registry.request('GET', `/api/v1/projects/${PROJECT}`, { headers })).json().used_bytes, 0);
    const token = (await registry.request('GET', '/service/token?service=berth-registry&scope=registry:catalog:*', { headers })).json().token;
    const catalog = (await registry.request('GET', '/v2/_catalog', { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal(catalog.repositories.includes(`${PROJECT}/busybox`), false, JSON.stringify(catalog));
    // v1 from the tag delete before, v2 (the same image again) from the repository's.
    const deletes = (await registry.request('GET', `/api/v1/audit-logs?operation=delete&repository=${PROJECT}/busybox`, { headers })).json();
    assert.deepEqual(deletes.map((e: { reference: string; user: string }) => `${e.user} ${e.reference}`), [`${ADMIN.user} v2`, `${ADMIN.user} v1`]);
  });
});

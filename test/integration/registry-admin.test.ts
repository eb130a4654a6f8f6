/**
 * The registry console's administration (`berth registry serve --console`)
 * in headless Chromium: the admin manages users (the new user then gets
 * tokens with its password), a quota set in the console refuses a push over
 * it, garbage collection run from the console removes an unreferenced blob
 * (but keeps one a push may still be using) and shows its report, search
 * shows a private repository only to who may see it, and a console session
 * survives a registry restart (which also takes a public token realm and
 * service name, as behind a proxy). Screenshots go to
 * $BERTH_ARTEFACTS/registry-admin (default /tmp/berth-registry-admin-shots).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, stat, utimes } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { basicAuth, digestOf, TestRegistry, type Response } from './registry-harness.js';
import { recordNotices, waitForNotice } from './notices.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed (apt-get install chromium)';
const SHOTS = process.env.BERTH_ARTEFACTS ? join(process.env.BERTH_ARTEFACTS, 'registry-admin') : '/tmp/berth-registry-admin-shots';
const ADMIN = { user: 'admin', password: 'admin-secret-1' };
const ERIN = { user: 'erin', password: 'erin-password-1' };
const OTTO = { user: 'otto', password: 'otto-password-1' };
const PROJECT = 'team';
type Who = { user: string; password: string };

const hexOf = (digest: string) => digest.slice('sha256:'.length);

describe('registry console administration in Chromium', { skip }, () => {
  let registry: TestRegistry;
  /** The registry after the restart (same root), stopped in after(). */
  let restarted: TestRegistry | undefined;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  /** The registry running now: the restarted one once the restart test has run. */
  const current = () => restarted ?? registry;
  /** The blob a push over quota left behind (refused, so unreferenced): the next gc's to remove. */
  let refusedBlob = '';

  const api = (method: string, path: string, body?: unknown, as: Who = ADMIN) =>
    current().request(method, `/api/v1${path}`, {
      headers: { Authorization: basicAuth(as.user, as.password), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  function tokenRequest(reg: TestRegistry, scope: string, as?: Who): Promise<Response> {
    const query = new URLSearchParams({ service: 'berth-registry', scope });
    return reg.request('GET', `/service/token?${query}`, { headers: as ? { Authorization: basicAuth(as.user, as.password) } : {} });
  }

  async function bearer(scope: string, as: Who): Promise<Record<string, string>> {
    const res = await tokenRequest(current(), scope, as);
    assert.equal(res.status, 200, res.body.toString());
    return { Authorization: `Bearer ${res.json().token}` };
  }

  async function browse(): Promise<Page> {
    const context = await browser.newContext();
    contexts.push(context);
    await recordNotices(context);
    const page = await context.newPage();
    await page.goto(`${current().url}/`);
    return page;
  }

  async function signIn(who: Who): Promise<Page> {
    const page = await browse();
    await page.click('#sign-in');
    await page.fill('#login-form input[name=username]', who.user);
    await page.fill('#login-form input[name=password]', who.password);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector(`#signed-in-as >> text=${who.user}`).catch(async (err: Error) => {
      // What the page showed and the registry logged, to tell a refused sign-in from a slow one.
      throw new Error(`${who.user} did not get signed in: ${err.message}\npage: ${await page.textContent('body')}\nregistry log:\n${current().log().slice(-2000)}`);
    });
    return page;
  }

  before(async () => {
    await mkdir(SHOTS, { recursive: true });
    console.log(`# registry admin screenshots: ${SHOTS}`);
    registry = await TestRegistry.start(['--console'], { BERTH_REGISTRY_ADMIN_PASSWORD: ADMIN.password });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await restarted?.stop();
    await registry?.stop();
  });

  it('lets the admin create users, reset passwords, grant admin and delete users; users change their own password', async () => {
    const admin = await signIn(ADMIN);
    await admin.click('nav >> text=Users');
    await admin.waitForSelector('#users tbody tr[data-key="admin"]');
    // The server's password rule shows in the console (the form's own check is bypassed to reach it).
    await admin.fill('#create-user input[name=username]', ERIN.user);
    await admin.$eval('#create-user input[name=password]', (el) => el.removeAttribute('minlength'));
    await admin.fill('#create-user input[name=password]', 'short');
    await admin.click('#create-user button[type=submit]');
    await admin.waitForSelector('#create-user .error >> text=at least 8 characters');
    for (const who of [ERIN, OTTO]) {
      await admin.fill('#create-user input[name=username]', who.user);
      await admin.fill('#create-user input[name=password]', who.password);
      await admin.click('#create-user button[type=submit]');
      await admin.waitForSelector(`#users tbody tr[data-key="${who.user}"]`);
    }
    await admin.screenshot({ path: join(SHOTS, 'users.png'), fullPage: true });
    // The new user gets tokens with its password (bcrypt-checked by the token endpoint).
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', ERIN)).status, 200);
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', { user: ERIN.user, password: 'wrong-password' })).status, 401);

    // Grant and revoke admin.
    const row = (u: string) => `#users tbody tr[data-key="${u}"]`;
    await admin.click(`${row(OTTO.user)} button >> text=Make admin`);
    await admin.waitForSelector(`${row(OTTO.user)} td.col-admin >> text=yes`);
    assert.equal((await api('GET', '/users/current', undefined, OTTO)).json().admin, true);
    await admin.click(`${row(OTTO.user)} button >> text=Revoke admin`);
    await admin.waitForSelector(`${row(OTTO.user)} td.col-admin >> text=no`);
    assert.equal((await api('GET', '/users/current', undefined, OTTO)).json().admin, false);

    // Reset a password: the old one stops working at once.
    await admin.click(`${row(OTTO.user)} button >> text=Reset password`);
    const reset = { user: OTTO.user, password: 'otto-new-password' };
    await admin.fill('#reset-password input[name=new_password]', reset.password);
    await admin.fill('#reset-password input[name=repeat_password]', reset.password);
    await admin.click('#reset-password button[type=submit]');
    await waitForNotice(admin, `Password of ${OTTO.user} reset`, false);
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', OTTO)).status, 401);
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', reset)).status, 200);

    // Delete a user: its logins end.
    admin.once('dialog', (d) => void d.accept());
    await admin.click(`${row(OTTO.user)} button >> text=Delete`);
    await waitForNotice(admin, `User ${OTTO.user} deleted`, false);
    assert.equal(await admin.locator(row(OTTO.user)).count(), 0);
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', reset)).status, 401);

    // A user changes their own password (giving the current one) and signs in again with it.
    const erin = await signIn(ERIN);
    assert.equal(await erin.locator('nav >> text=Users').count(), 0, 'only the admin manages users');
    await erin.click('#signed-in-as');
    await erin.fill('#change-password input[name=old_password]', ERIN.password);
    ERIN.password = 'erin-password-2';
    await erin.fill('#change-password input[name=new_password]', ERIN.password);
    await erin.fill('#change-password input[name=repeat_password]', ERIN.password);
    await erin.click('#change-password button[type=submit]');
    await erin.waitForSelector('#login-form');
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', ERIN)).status, 200);
    assert.equal((await tokenRequest(registry, 'registry:catalog:*', { user: ERIN.user, password: 'erin-password-1' })).status, 401);
  });

  it('refuses a push over the quota the admin set in the console, and shows the use as a bar', async () => {
    assert.equal((await api('POST', '/projects', { name: PROJECT, public: false })).status, 201);
    assert.equal((await api('POST', `/projects/${PROJECT}/members`, { username: ERIN.user, role: 'developer' })).status, 201);
    const push = await bearer(`repository:${PROJECT}/app:pull,push`, ERIN);
    await registry.pushImage(`${PROJECT}/app`, 'small', { headers: push });

    const admin = await signIn(ADMIN);
    await admin.goto(`${registry.url}/#/projects/${PROJECT}`);
    await admin.waitForSelector('#project-quota-form');
    assert.match((await admin.textContent('#project-quota-text'))!, /no limit/);
    // 16 KiB: room for what is there, not for a 32 KiB layer.
    await admin.fill('#project-quota-form input[name=quota]', '0.015625');
    await admin.selectOption('#project-quota-form select[name=unit]', 'MiB');
    await admin.click('#project-quota-form button[type=submit]');
    await admin.waitForSelector('#project-quota-bar');
    assert.equal((await api('GET', `/projects/${PROJECT}`)).json().quota_bytes, 16 * 1024);
    assert.match((await admin.textContent('#project-quota-text'))!, / of 16\.4 kB \(\d+%\)$/);
    const used = (await api('GET', `/projects/${PROJECT}`)).json().used_bytes;
    assert.equal(Number(await admin.getAttribute('#project-quota-bar', 'value')), used);
    await admin.screenshot({ path: join(SHOTS, 'quota.png'), fullPage: true });

    const big = randomBytes(32 * 1024);
    refusedBlob = digestOf(big);
    await assert.rejects(registry.pushBlob(`${PROJECT}/app`, big, push), (err: Error) => {
      assert.match(err.message, /^push blob: 403 .*DENIED.*quota exceeded: project team may hold 16384 bytes/);
      return true;
    });
    // Under the limit still goes in.
    await registry.pushImage(`${PROJECT}/app`, 'second', { headers: push });
  });

  it('keeps a console session across a restart, which takes a public token realm and service', async () => {
    const admin = await signIn(ADMIN);
    assert.equal(await registry.terminate(), 0);
    const realm = 'https://registry.example.com/service/token';
    restarted = await TestRegistry.start(['--console', '--root', registry.root, '--token-realm', realm, '--token-service', 'registry.example.com']);
    // Cookies are per host, not port: the same browser context reaches the new port signed in.
    await admin.goto(`${restarted.url}/#/users`);
    await admin.waitForSelector(`#signed-in-as >> text=${ADMIN.user}`);
    await admin.waitForSelector(`#users tbody tr[data-key="${ERIN.user}"]`);
    // Behind a proxy, clients are sent to the public token endpoint and service.
    const challenge = await restarted.request('GET', '/v2/');
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers['www-authenticate'], `Bearer realm="${realm}",service="registry.example.com"`);
    const issued = await restarted.request('GET', '/service/token?service=registry.example.com&scope=repository:team/app:pull', { headers: { Authorization: basicAuth(ERIN.user, ERIN.password) } });
    assert.equal(issued.status, 200);
    const token = issued.json().token as string;
    assert.equal(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).aud, 'registry.example.com');
    assert.equal((await restarted.request('GET', '/v2/team/app/tags/list', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    // Signing out ends the session for good, restart or not.
    await admin.click('.who button >> text=Sign out');
    await admin.waitForSelector('#sign-in');
  });
  it('runs garbage collection from the console: an old unreferenced blob goes, one a push may still use stays', async () => {
    const reg = current();
    const push = await bearer(`repository:${PROJECT}/app:pull,push`, ERIN);
    // The blob refused over quota is unreferenced; it is made to look two hours old (older than gc's grace period).
    const orphan = refusedBlob;
    // Both runs of the registry use the first one's root.
    const blobFile = (d: string) => join(registry.root, 'blobs', 'sha256', hexOf(d));
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(blobFile(orphan), twoHoursAgo, twoHoursAgo);
    const orphanSize = (await stat(blobFile(orphan))).size;
    // A blob uploaded just now has no manifest yet either: its push may still be going on.
    const inFlight = await reg.pushBlob(`${PROJECT}/app`, `pushed just now ${Date.now()}`, push);

    const admin = await signIn(ADMIN);
    await admin.click('nav >> text=Garbage collection');
    await admin.waitForSelector('text=No runs yet.');
    await admin.click('#gc-run button[type=submit]');
    await admin.waitForSelector('#gc-runs tbody tr');
    const cells = await admin.$$eval('#gc-runs tbody tr:first-child td', (tds) => Object.fromEntries(tds.map((td) => [td.className, td.textContent])));
    assert.equal(cells['col-by'], ADMIN.user);
    assert.equal(cells['col-blobs'], '1');
    assert.equal(cells['col-result'], 'ok');
    assert.equal(cells['col-bytes'], '32.8 kB');
    assert.match(cells['col-started']!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.equal(existsSync(blobFile(orphan)), false, 'the old orphan is gone');
    assert.equal(existsSync(blobFile(inFlight)), true, 'the blob a push may still name is kept');
    // The images stay whole: their manifests still pull.
    assert.equal((await reg.request('GET', `/v2/${PROJECT}/app/manifests/small`, { headers: { ...push, Accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200);
    assert.equal((await reg.request('HEAD', `/v2/${PROJECT}/app/blobs/${inFlight}`, { headers: push })).status, 200);

    // The report is kept: the API has it with the bytes, and a schedule set here is stored.
    await admin.selectOption('#gc-schedule select[name=kind]', 'daily');
    await admin.fill('#gc-schedule input[name=time]', '04:30');
    await admin.click('#gc-schedule button[type=submit]');
    await admin.waitForSelector('#gc-next-run >> text=04:30:00 UTC');
    await admin.screenshot({ path: join(SHOTS, 'gc.png'), fullPage: true });
    const status = (await api('GET', '/gc')).json();
    assert.deepEqual(status.schedule, { kind: 'daily', time: '04:30' });
    assert.equal(status.runs.length, 1);
    assert.equal(status.runs[0].bytes_removed, orphanSize);
    assert.equal(status.runs[0].by, ADMIN.user);
    // Only the admin runs it.
    assert.equal((await api('POST', '/gc', {}, ERIN)).status, 403);
  });

  it('finds a private repository only for those who may see it', async () => {
    assert.equal((await api('POST', '/users', { username: OTTO.user, password: OTTO.password })).status, 201);
    const search = async (page: Page, term: string) => {
      await page.click('nav >> text=Search');
      await page.fill('#search-form input[name=q]', term);
      await page.click('#search-form button[type=submit]');
      // The caption names the term: the results are this search's, not the previous one's.
      await page.waitForSelector(`#search-repositories caption:text-is("Repositories matching ${term}")`, { state: 'attached' });
      return page.$$eval('#search-repositories tbody tr[data-key]', (rows) => rows.map((r) => (r as HTMLElement).dataset.key));
    };
    const erin = await signIn(ERIN);
    assert.deepEqual(await search(erin, 'app'), [`${PROJECT}/app`]);
    await erin.screenshot({ path: join(SHOTS, 'search-member.png'), fullPage: true });
    const otto = await signIn(OTTO);
    assert.deepEqual(await search(otto, 'app'), []);
    await otto.waitForSelector('text=No repositories match.');
    const anonymous = await browse();
    assert.deepEqual(await search(anonymous, 'app'), []);
    // Once public, everyone finds it, as the catalog shows it to everyone.
    assert.equal((await api('PUT', `/projects/${PROJECT}`, { public: true })).status, 204);
    assert.deepEqual(await search(anonymous, 'team'), [`${PROJECT}/app`]);
    assert.equal((await api('PUT', `/projects/${PROJECT}`, { public: false })).status, 204);
  });

});

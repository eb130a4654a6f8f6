/**
 * The registry's web page in headless Chromium (Debian's chromium, driven by
 * playwright-core): the login prompt when auth is on, repositories with
 * search and sorting, a repository's tags with digest, size, created date
 * and layers, and tag deletion when deletes are enabled.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import type { Browser } from 'playwright-core';
import { basicAuth, TestRegistry } from './registry-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : 'chromium not installed (apt-get install chromium)';

describe('registry web page in Chromium', { skip }, () => {
  let dir: string;
  let reg: TestRegistry;
  let readOnly: TestRegistry;
  let browser: Browser;
  const auth = { Authorization: basicAuth('admin', 'admin-pw') };
  const images: Record<string, { digest: string; layerDigest: string }> = {};

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-registry-ui-'));
    await writeFile(join(dir, 'htpasswd'), `admin:${bcrypt.hashSync('admin-pw', 5)}\n`);
    reg = await TestRegistry.start(['--htpasswd', join(dir, 'htpasswd'), '--delete-enabled']);
    for (const [name, tag] of [['team/web', 'v1'], ['team/web', 'v2'], ['team/web', 'latest'], ['tools/curl', '8'], ['alpha', 'edge']] as const) {
      images[`${name}:${tag}`] = await reg.pushImage(name, tag, { headers: auth });
    }
    readOnly = await TestRegistry.start();
    await readOnly.pushImage('ro/app', 'v1');
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await reg?.stop();
    await readOnly?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('asks for the login when auth is on', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const challenged = page.waitForResponse((r) => r.url() === `${reg.url}/`);
    // With no credentials to give, headless Chromium gives up on the login prompt.
    await assert.rejects(page.goto(`${reg.url}/`), /ERR_INVALID_AUTH_CREDENTIALS/);
    const response = await challenged;
    assert.equal(response.status(), 401);
    assert.equal(response.headers()['www-authenticate'], 'Basic realm="berth registry"');
    await context.close();
  });

  it('lists repositories, searches and sorts them', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: 'admin-pw' } });
    const page = await context.newPage();
    await page.goto(`${reg.url}/`);
    const names = () => page.$$eval('#repo-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.repository));
    await page.waitForSelector('#repo-table tbody tr');
    assert.deepEqual(await names(), ['alpha', 'team/web', 'tools/curl']);
    assert.equal(await page.textContent('#repo-table tbody tr[data-repository="team/web"] td:nth-child(2)'), '3');
    await page.selectOption('#sort', 'name-desc');
    assert.deepEqual(await names(), ['tools/curl', 'team/web', 'alpha']);
    await page.selectOption('#sort', 'tags');
    assert.equal((await names())[0], 'team/web');
    await page.fill('#search', 'too');
    assert.deepEqual(await names(), ['tools/curl']);
    await context.close();
  });

  it('shows a repository\'s tags with digest, size, created date and layers, and deletes a tag', async () => {
    const context = await browser.newContext({ httpCredentials: { username: 'admin', password: 'admin-pw' } });
    const page = await context.newPage();
    await page.goto(`${reg.url}/`);
    await page.click('text=team/web');
    await page.waitForSelector('#tag-table tbody tr[data-tag="v2"]');
    const row = (tag: string) => `#tag-table tbody tr[data-tag="${tag}"]`;
    const tags = await page.$$eval('#tag-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.tag));
    assert.deepEqual(tags, ['latest', 'v1', 'v2']);
    assert.equal(await page.textContent(`${row('v1')} code`), images['team/web:v1']!.digest);
    assert.equal(await page.textContent(`${row('v1')} .created`), '2024-05-06 07:08:09Z');
    assert.match((await page.textContent(`${row('v1')} .size`)) ?? '', /^\d+ B$/);
    assert.match((await page.textContent(`${row('v1')} .layers`)) ?? '', new RegExp(images['team/web:v1']!.layerDigest.slice(0, 19)));
    await page.screenshot({ path: join(dir, 'tags.png') });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.click(`${row('v1')} button.delete`);
    await page.waitForSelector(row('v1'), { state: 'detached' });
    assert.equal((await reg.request('GET', '/v2/team/web/manifests/v1', { headers: auth })).status, 404);
    assert.equal((await reg.request('GET', '/v2/team/web/manifests/v2', { headers: auth })).status, 200);
    await context.close();
  });

  it('offers no delete button when deletes are disabled', async () => {
    const page = await browser.newPage();
    await page.goto(`${readOnly.url}/#/ro/app`);
    await page.waitForSelector('#tag-table tbody tr[data-tag="v1"]');
    assert.equal(await page.$$eval('button.delete', (b) => b.length), 0);
    await page.close();
  });
});

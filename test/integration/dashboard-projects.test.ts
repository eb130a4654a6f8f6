/**
 * The dashboard's compose projects, registries and Files views in headless
 * Chromium, over a private berthd (mutual TLS) and a private dockerd 20.10
 * (dashboard-harness.ts): a project brought up with `berth compose` on berthd
 * and one on dockerd whose config files are gone (up refused and said so,
 * down still works from the labels); a `berth registry serve` browsed and
 * a tag pulled to a host; a container's files browsed and downloaded, with
 * paths that climb out refused. Screenshots go to $BERTH_ARTEFACTS (default
 * /tmp/berth-dashboard-shots) like dashboard.test.ts's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { checkSortable, DashboardRig, ok as must, recordRenders, SHOTS, skipDashboard } from './dashboard-harness.js';
import { TestRegistry } from './registry-harness.js';
import { makeServerCert } from './tls-certs.js';
import { waitForNotice } from './notices.js';

const TICKER = 'i=0; while true; do echo shop tick $i; i=$((i+1)); sleep 0.5; done';

describe('dashboard: compose projects, registries and files', { skip: skipDashboard }, () => {
  let rig: DashboardRig;
  let registry: TestRegistry | undefined;
  let composeFile = '';

  before(async () => {
    rig = await DashboardRig.start('berth-dashrig-');
    const berthd = rig.berthd!;
    const dockerd = rig.dockerd!;
    // "shop" on berthd, brought up by berth compose from a file the dashboard can read.
    await mkdir(join(rig.dir, 'shop'));
    composeFile = join(rig.dir, 'shop', 'compose.yml');
    await writeFile(composeFile, [
      'services:',
      '  web:', '    image: bb:latest', '    network_mode: none', '    command: ["sleep", "3600"]',
      '  ticker:', '    image: bb:latest', '    network_mode: none', // $$: compose would interpolate a lone $.
      `    command: ["sh", "-c", ${JSON.stringify(TICKER.replace(/\$/g, '$$$$'))}]`, '',
    ].join('\n'));
    rig.onStop(() => void berthd.berth(['compose', '-f', composeFile, 'down', '-t', '1']));
    must(berthd.berth(['compose', '-f', composeFile, 'up', '-d']), 'compose up');
    // "legacy" on dockerd: compose's labels, but its config files are nowhere to be read.
    const labels = { project: 'legacy', service: 'app', 'project.working_dir': '/gone/legacy', 'project.config_files': '/gone/legacy/compose.yml', oneoff: 'False', 'container-number': '1' };
    rig.onStop(() => void dockerd.docker(['rm', '-f', 'legacy-app-1']));
    rig.onStop(() => void dockerd.docker(['rm', '-f', 'files-docker']));
    must(dockerd.docker(['run', '-d', '--network', 'none', '--name', 'files-docker', 'bb:latest', 'sleep', '3600']), 'run files-docker');
    must(dockerd.docker(['run', '-d', '--network', 'none', '--name', 'legacy-app-1', ...Object.entries(labels).flatMap(([k, v]) => ['--label', `com.docker.compose.${k}=${v}`]), 'bb:latest', 'sleep', '3600']), 'run legacy');
  });

  after(async () => {
    await registry?.stop();
    await rig?.stop();
  });

  const projectRow = (host: string, name: string) => `#compose-table tbody tr[data-key="${host}/${name}"]`;

  test('compose projects of both hosts: services, running/total, working dir; up, logs and down', async () => {
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Compose');
    await page.waitForSelector(`${projectRow('berth', 'shop')} td.col-running >> text="2/2"`);
    await page.waitForSelector(`${projectRow('docker', 'legacy')} td.col-running >> text="1/1"`);
    assert.equal(await page.textContent(`${projectRow('berth', 'shop')} td.col-services`), 'tickerweb');
    assert.equal(await page.textContent(`${projectRow('berth', 'shop')} td.col-dir code`), join(rig.dir, 'shop'));
    // legacy's files are not here: up is disabled and the row says why; down still works.
    assert.match((await page.textContent(`${projectRow('docker', 'legacy')} .config-problem`)) ?? '', /Up unavailable here: config file \/gone\/legacy\/compose\.yml is not readable/);
    assert.equal(await page.isDisabled(`${projectRow('docker', 'legacy')} button.up`), true);
    const refused = await page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch('/api/compose/docker/legacy/up', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
      return [res.status, ((await res.json()) as { message: string }).message];
    });
    assert.equal(refused[0], 409);
    assert.match(String(refused[1]), /cannot bring legacy up from here/);
    await page.screenshot({ path: join(SHOTS, 'compose.png'), fullPage: true });
    // Sorted by every column, and filtered.
    const projects = () => page.$$eval('#compose-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.key));
    assert.deepEqual(await checkSortable(page, '#compose-table'), ['name', 'host', 'services', 'running', 'dir']);
    await page.fill('#compose-filter', 'legacy');
    assert.deepEqual(await projects(), ['docker/legacy']);
    await page.fill('#compose-filter', 'ticker');
    assert.deepEqual(await projects(), ['berth/shop'], 'services are searched too');
    await page.fill('#compose-filter', '');

    // Up from the dashboard brings back a service stopped behind its back (through mutual TLS to berthd).
    must(rig.berthd!.berth(['compose', '-f', composeFile, 'stop', '-t', '1', 'web']), 'compose stop web');
    await page.waitForSelector(`${projectRow('berth', 'shop')} td.col-running >> text="1/2"`);
    await page.click(`${projectRow('berth', 'shop')} button.up`);
    await page.waitForSelector(`${projectRow('berth', 'shop')} td.col-running >> text="2/2"`, { timeout: 60_000 });

    // Logs: compose's prefixed lines, followed as they arrive.
    await page.click(`${projectRow('berth', 'shop')} button.logs`);
    await page.waitForSelector('#compose-logs >> text=/ticker.*\\| shop tick \\d+/');
    const highest = () => page.evaluate(() => Math.max(...[...(document.querySelector('#compose-logs')?.textContent ?? '').matchAll(/shop tick (\d+)/g)].map((m) => Number(m[1]))));
    const first = await highest();
    await page.waitForFunction((n) => [...(document.querySelector('#compose-logs')?.textContent ?? '').matchAll(/shop tick (\d+)/g)].some((m) => Number(m[1]) > n + 1), first);
    await page.screenshot({ path: join(SHOTS, 'compose-logs.png'), fullPage: true });
    await page.click('#compose-logs-close');

    // Down on dockerd from the labels alone: the project goes, its container with it.
    page.once('dialog', (d) => void d.accept());
    await page.click(`${projectRow('docker', 'legacy')} button.down`);
    await page.waitForSelector(projectRow('docker', 'legacy'), { state: 'detached', timeout: 60_000 });
    assert.equal(rig.dockerd!.docker(['inspect', 'legacy-app-1']).code, 1, 'legacy-app-1 removed');
    await context.close();
  });

  test('a viewer sees projects but gets no up/down, and the server refuses them', async () => {
    const admin = await rig.signIn();
    const made = await admin.page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      return (await fetch('/api/users', { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'peek', password: 'viewer password', role: 'viewer' }) })).status;
    });
    assert.equal(made, 201);
    await admin.context.close();
    const { context, page } = await rig.signIn('peek', 'viewer password');
    await page.click('nav >> text=Compose');
    await page.waitForSelector(projectRow('berth', 'shop'));
    assert.equal(await page.$$eval(`${projectRow('berth', 'shop')} button.up, ${projectRow('berth', 'shop')} button.down`, (b) => b.length), 0);
    const status = await page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      return (await fetch('/api/compose/berth/shop/down', { method: 'POST', headers: { 'X-CSRF-Token': csrf } })).status;
    });
    assert.equal(status, 403);
    await context.close();
  });

  test('registries: add a berth registry, browse its repositories and tags, pull a tag to a host', async () => {
    registry = await TestRegistry.start();
    const dockerd = rig.dockerd!;
    for (const tag of ['1.0', '2.0']) must(dockerd.docker(['tag', 'bb:latest', `${registry.hostPort}/tools/bb:${tag}`]), 'tag');
    must(dockerd.docker(['push', `${registry.hostPort}/tools/bb:1.0`]), 'push');
    must(dockerd.docker(['push', `${registry.hostPort}/tools/bb:2.0`]), 'push');
    must(dockerd.docker(['tag', 'bb:latest', `${registry.hostPort}/other:latest`]), 'tag');
    must(dockerd.docker(['push', `${registry.hostPort}/other:latest`]), 'push');

    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Registries');
    await page.click('summary >> text=Add a registry');
    await page.fill('#add-registry input[name=url]', registry.url);
    await page.fill('#add-registry input[name=name]', 'local');
    await page.click('#add-registry button[type=submit]');
    await page.waitForSelector('#registry-table tbody tr[data-key="local"]');
    await page.waitForSelector('#repositories >> text="tools/bb"');
    assert.deepEqual(await page.$$eval('#repositories tbody button', (b) => b.map((x) => x.textContent)), ['other', 'tools/bb']);
    await page.click('#repositories >> text="tools/bb"');
    await page.waitForSelector('#tags >> text="2.0"');
    assert.deepEqual(await page.$$eval('#tags tbody button', (b) => b.map((x) => x.textContent)), ['1.0', '2.0']);
    // Repositories and tags sort and filter as every other table does.
    await checkSortable(page, '#repositories');
    await checkSortable(page, '#tags');
    await page.fill('#repos-filter', 'tools');
    assert.deepEqual(await page.$$eval('#repositories tbody button', (b) => b.map((x) => x.textContent)), ['tools/bb']);
    await page.fill('#repos-filter', '');
    await page.fill('#tags-filter', '2.');
    assert.deepEqual(await page.$$eval('#tags tbody button', (b) => b.map((x) => x.textContent)), ['2.0']);
    await page.fill('#tags-filter', '');
    await page.click('#tags >> text="2.0"');
    await page.selectOption('#pull-form select[name=host]', 'berth');
    // The pull streams its progress as the images view's does: a layer's state shows before the final status.
    const renders = await recordRenders(page, '#registry-pull-progress');
    await page.click('#pull-form button[type=submit]');
    const image = `${registry.hostPort}/tools/bb:2.0`;
    await page.waitForSelector(`#registry-pull-progress >> text="Status: Downloaded newer image for ${image}"`, { timeout: 60_000 });
    await waitForNotice(page, 'Pulled tools/bb:2.0 to berth', false);
    const layers = await page.$$eval('#registry-pull-progress li[data-layer]', (li) => li.map((l) => ({
      status: l.querySelector('.layer-status')?.textContent, label: l.querySelector('progress')?.getAttribute('aria-label'),
    })));
    assert.equal(layers.length, 1, 'busybox is one layer');
    assert.match(layers[0]!.status ?? '', /^(Pull complete|Already exists)$/);
    assert.match(layers[0]!.label ?? '', /^Layer [0-9a-f]{12}: (Pull complete|Already exists)$/);
    const seen = await renders();
    assert.ok(seen.some((text) => /Pulling from tools\/bb/.test(text) && !text.includes('Status:')), `progress rendered before the end: ${seen.join(' ⏎ ')}`);
    await page.screenshot({ path: join(SHOTS, 'registries.png'), fullPage: true });
    const tags = must(rig.berthd!.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'images');
    assert.ok(tags.split('\n').includes(image), tags);
    await context.close();
  });

  test('the run form pulls an image the host lacks first, with its progress, as docker run does; a missing one is refused in docker run\'s words', async () => {
    assert.ok(registry, 'the registry of the test before');
    const image = `${registry.hostPort}/other:latest`;
    assert.equal(rig.berthd!.docker(['image', 'inspect', image]).code, 1, 'berthd lacks the image');
    rig.onStop(() => void rig.berthd!.docker(['rm', '-f', 'form-pulled']));
    rig.onStop(() => void rig.berthd!.docker(['rmi', image]));
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Run');
    await page.selectOption('#run-host', 'berth');
    await page.fill('#run-form input[name=name]', 'form-pulled');
    await page.fill('#run-form input[name=command]', 'sleep 600');
    await page.fill('#run-form input[name=image]', `${registry.hostPort}/missing:1`);
    await page.click('#run-submit');
    const refused = (await (await page.waitForSelector('#run-error', { timeout: 60_000 })).textContent()) ?? '';
    assert.match(refused, new RegExp(`^Unable to find image '${registry.hostPort}/missing:1' locally: .*(manifest unknown|not found)`, 'i'));
    await page.fill('#run-form input[name=image]', image);
    await page.click('#run-submit');
    await page.waitForSelector('#run-result >> text=Started on berth', { timeout: 60_000 });
    const progress = (await page.textContent('#run-pull-progress')) ?? '';
    assert.match(progress, new RegExp(`Unable to find image '${image}' locally`));
    assert.match(progress, new RegExp(`Status: Downloaded newer image for ${image}`));
    assert.equal(must(rig.berthd!.docker(['inspect', '-f', '{{.Config.Image}} {{.State.Status}}', 'form-pulled']), 'inspect'), `${image} running`);
    await context.close();
  });

  test('registries over https with a private CA: browsed with the CA stored with the entry, refused in plain words without it or with another', async () => {
    assert.ok(registry, 'the registry of the test before');
    const certs = rig.certs!;
    // The same storage served over TLS with a certificate for 127.0.0.1 that the rig's CA signed.
    const secure = await TestRegistry.start(['--root', registry.root, '--tls-cert', certs.serverCert, '--tls-key', certs.serverKey]);
    rig.onStop(() => secure.stop());
    assert.match(secure.url, /^https:/);
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Registries');
    const add = async (name: string, ca?: string) => {
      if (!(await page.$('#add-registry-panel[open]'))) await page.click('#add-registry-panel summary');
      await page.fill('#add-registry input[name=url]', secure.url);
      await page.fill('#add-registry input[name=name]', name);
      await page.fill('#add-registry textarea[name=ca]', ca ?? '');
      await page.click('#add-registry button[type=submit]');
    };
    // Not a certificate: refused on adding.
    await add('junk', 'hello');
    await page.waitForSelector('#add-registry .error >> text="the CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)"');
    // Without a CA the system's trust is used, which does not know this one.
    await add('no-ca');
    await page.waitForSelector('#registry-table tbody tr[data-key="no-ca"]');
    const untrusted = (await (await page.waitForSelector('#browse-error >> text=/^cannot reach/')).textContent()) ?? '';
    assert.match(untrusted, new RegExp(`^cannot reach the registry at ${secure.url.replace(/[.]/g, '\\.')}: its TLS certificate is not trusted \\(.+\\): add the CA certificate that signed it to this registry$`));
    // Another CA: refused too, saying the stored CA did not sign it.
    await add('other-ca', await readFile(certs.foreignCa, 'utf8'));
    await page.waitForSelector('#registry-table tbody tr[data-key="other-ca"]');
    assert.match((await (await page.waitForSelector('#browse-error >> text=/did not sign it$/')).textContent()) ?? '', /^cannot reach the registry at .+: its TLS certificate is not trusted \(.+\): the CA certificate stored with this registry did not sign it$/);
    // The right CA: repositories and tags.
    await add('secure', await readFile(certs.ca, 'utf8'));
    await page.waitForSelector('#registry-table tbody tr[data-key="secure"] .badge >> text="custom CA"');
    await page.waitForSelector('#repositories >> text="tools/bb"');
    assert.deepEqual(await page.$$eval('#repositories tbody button', (b) => b.map((x) => x.textContent)), ['other', 'tools/bb']);
    await page.click('#repositories >> text="tools/bb"');
    await page.waitForSelector('#tags >> text="2.0"');
    assert.equal(await page.$('#browse-error'), null);
    await page.screenshot({ path: join(SHOTS, 'registries-tls.png'), fullPage: true });
    // The CA (a certificate, not a secret) and the rest never go back to the browser: only that there is one.
    const listed = await page.evaluate(async () => (await fetch('/api/registries')).text());
    assert.ok(!listed.includes('BEGIN CERTIFICATE'), listed);
    await context.close();
  });

  test('a tag pulled to berthd from a registry with a private CA: refused until berthd\'s certs.d holds the CA, then pulled', async () => {
    assert.ok(registry, 'the registry of the tests before');
    // On ::1, which no engine treats as insecure (127.0.0.0/8 is, and would skip verification).
    const v6 = await makeServerCert(rig.certs!, 'registry-v6', 'IP:::1');
    const secure = await TestRegistry.start(['--root', registry.root, '--addr', '[::1]:0', '--tls-cert', v6.cert, '--tls-key', v6.key]);
    rig.onStop(() => secure.stop());
    const image = `${secure.hostPort}/tools/bb:1.0`;
    rig.onStop(() => void rig.berthd!.docker(['rmi', image]));
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Registries');
    await page.click('#add-registry-panel summary');
    await page.fill('#add-registry input[name=url]', secure.url);
    await page.fill('#add-registry input[name=name]', 'secure-v6');
    await page.fill('#add-registry textarea[name=ca]', await readFile(rig.certs!.ca, 'utf8'));
    await page.click('#add-registry button[type=submit]');
    await page.waitForSelector('#registry-table tbody tr[data-key="secure-v6"]');
    await page.waitForSelector('#browse-title >> text="Browse secure-v6"');
    await page.click('#repositories >> text="tools/bb"');
    await page.click('#tags >> text="1.0"');
    await page.selectOption('#pull-form select[name=host]', 'berth');
    // The dashboard trusts the CA, but the engine does the pull: berthd does not know the CA yet.
    await page.click('#pull-form button[type=submit]');
    const refused = (await (await page.waitForSelector('#registry-pull-progress .error', { timeout: 60_000 })).textContent()) ?? '';
    assert.match(refused, /x509: certificate signed by unknown authority/);
    assert.equal(rig.berthd!.docker(['image', 'inspect', image]).code, 1, 'nothing pulled');
    // dockerd's layout, read at each pull: <certs.d>/<host:port>/ca.crt.
    await mkdir(join(rig.certsD, secure.hostPort));
    await writeFile(join(rig.certsD, secure.hostPort, 'ca.crt'), await readFile(rig.certs!.ca));
    await page.click('#pull-form button[type=submit]');
    await page.waitForSelector(`#registry-pull-progress >> text="Status: Downloaded newer image for ${image}"`, { timeout: 60_000 });
    assert.equal(await page.$('#registry-pull-progress .error'), null);
    must(rig.berthd!.docker(['image', 'inspect', image]), 'the pulled image');
    await page.screenshot({ path: join(SHOTS, 'registries-private-ca-pull.png'), fullPage: true });
    await context.close();
  });

  async function openFiles(page: Page, host: string, name: string): Promise<void> {
    await page.goto(`${rig.url}/#/containers`);
    await page.click(`#container-table tbody tr[data-key="${host}/${name}"] td.col-name a`);
    await page.click('#files-panel summary');
    await page.waitForSelector('#files-table tbody tr[data-key="etc"]');
  }

  test('files: browse a container directory by directory on each host, download a file and a directory', async () => {
    const { context, page } = await rig.signIn();
    for (const [host, name] of [['berth', 'shop-web-1'], ['docker', 'files-docker']] as const) {
      await openFiles(page, host, name);
      assert.ok(await page.$('#files-table tbody tr[data-key="bin"]'), 'root listing has bin');
      await page.click('#files-table tbody tr[data-key="etc"] button.open');
      await page.waitForSelector('#files-table tbody tr[data-key="passwd"]');
      assert.equal(await page.$$eval('#files-path button', (b) => b.map((x) => x.textContent).join(' ')), '/ etc');
      if (host === 'berth') await page.screenshot({ path: join(SHOTS, 'container-files.png'), fullPage: true });
      const file = await context.request.get(`${rig.url}${await page.getAttribute('#files-table tbody tr[data-key="passwd"] a', 'href')}`);
      assert.equal(file.status(), 200);
      assert.match(file.headers()['content-disposition'] ?? '', /attachment; filename="passwd"/);
      assert.match(await file.text(), /^root:x:0:0:/);
      const dir = await context.request.get(`${rig.url}${await page.getAttribute('#files-download-dir', 'href')}`);
      assert.equal(dir.headers()['content-type'], 'application/x-tar');
      const tar = await dir.body();
      assert.equal(tar.subarray(257, 262).toString(), 'ustar', 'a tar archive');
      assert.ok(tar.includes('etc/passwd'), 'holding etc/passwd');
      // Back to the root through the path bar, by keyboard.
      await page.focus('#files-path button[aria-label="Root directory"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#files-table tbody tr[data-key="bin"]');
    }
    for (const bad of ['/../etc', 'etc', '/etc/%00x']) {
      const res = await context.request.get(`${rig.url}/api/hosts/berth/containers/shop-web-1/files?path=${bad.includes('%') ? bad : encodeURIComponent(bad)}`);
      assert.equal(res.status(), 400, bad);
    }
    const missing = await context.request.get(`${rig.url}/api/hosts/docker/containers/files-docker/files?path=/nope`);
    assert.equal(missing.status(), 404);
    await context.close();
  });

  test('usable on a phone: compose projects and files as cards', async () => {
    const { context, page } = await rig.signIn(undefined, undefined, { width: 390, height: 844 });
    await page.goto(`${rig.url}/#/compose`);
    await page.waitForSelector(projectRow('berth', 'shop'));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no horizontal scrolling');
    await page.screenshot({ path: join(SHOTS, 'compose-phone.png'), fullPage: true });
    await openFiles(page, 'berth', 'shop-web-1');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'no horizontal scrolling');
    await page.screenshot({ path: join(SHOTS, 'files-phone.png'), fullPage: true });
    await context.close();
  });
});

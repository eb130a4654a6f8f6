/**
 * The dashboard's images, run and events views in Chromium, over a private
 * berthd (mutual TLS) and a private dockerd 20.10, with a local `berth
 * registry serve`: tag and push an image from one host with progress, pull
 * it onto the other with per-layer progress, history, remove (refused while
 * in use, with the engine's reason; then forced), run busybox httpd from the
 * form and reach its published port, the live events feed of both hosts,
 * and a viewer whom the server refuses every one of these actions.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, checkSortable, DashboardRig, ok, recordRenders, SHOTS, skipDashboard as skip } from './dashboard-harness.js';
import { waitForValue, type ReferenceDockerd, type TestDaemon } from './harness.js';
import { TestRegistry } from './registry-harness.js';
import { freePort } from './tls-certs.js';

describe('dashboard images, run and events views, over berthd and dockerd 20.10', { skip }, () => {
  let rig: DashboardRig;
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  let registry: TestRegistry;
  let ref: string;

  /** An images table row: the host's image carrying `tag`. */
  const imageRow = (host: string, tag: string) => `#image-table tbody tr[data-key^="${host}/"]:has(code:text-is("${tag}"))`;
  const openImage = async (page: Page, host: string, tag: string) => {
    await page.click(`${imageRow(host, tag)} button.details`);
    await page.waitForSelector(`#image-panel-title:has-text("${tag}"):has-text("on ${host}")`);
  };
  const engine = (host: string) => (host === 'berth' ? berthd : dockerd);

  before(async () => {
    rig = await DashboardRig.start('berth-dashboard-images-');
    berthd = rig.berthd!;
    dockerd = rig.dockerd!;
    registry = await TestRegistry.start();
    ref = `${registry.hostPort}/dash/bb:v1`;
  });

  after(async () => {
    await rig?.stop();
    await registry?.stop();
  });

  test('tag and push from berthd with progress, then pull onto dockerd with per-layer progress shown as it goes', async () => {
    const { context, page } = await rig.signIn('admin', ADMIN_PASSWORD);
    await page.click('nav >> text=Images');
    await openImage(page, 'berth', 'bb:latest');
    await page.fill('#tag-form input[name=target]', ref);
    await page.click('#tag-form button[type=submit]');
    await page.waitForSelector(imageRow('berth', ref));
    assert.match(ok(berthd.docker(['image', 'inspect', '-f', '{{join .RepoTags ","}}', 'bb:latest']), 'inspect'), new RegExp(ref.replace(/[.]/g, '\\.')));

    await page.selectOption('#push-tag', ref);
    await page.click('#push-form button[type=submit]');
    await page.waitForSelector('#push-progress >> text=/v1: digest: sha256:[0-9a-f]{64} size: \\d+/', { timeout: 60_000 });
    const pushed = await page.$$eval('#push-progress li[data-layer] .layer-status', (s) => s.map((x) => x.textContent));
    assert.ok(pushed.length >= 1 && pushed.every((s) => /^(Pushed|Layer already exists|Mounted from)/.test(s ?? '')), pushed.join('|'));
    assert.deepEqual((await registry.request('GET', '/v2/dash/bb/tags/list')).json().tags, ['v1'], 'the registry has the tag');
    await page.screenshot({ path: join(SHOTS, 'image-push.png'), fullPage: true });

    // Every render of the pull's progress is kept: the layer's states must show up before the end.
    const renders = await recordRenders(page, '#pull-progress');
    await page.selectOption('#pull-host', 'docker');
    await page.fill('#pull-form input[name=image]', ref);
    await page.click('#pull-form button[type=submit]');
    await page.waitForSelector(`#pull-progress >> text="Status: Downloaded newer image for ${ref}"`, { timeout: 60_000 });
    const layers = await page.$$eval('#pull-progress li[data-layer]', (li) => li.map((l) => ({
      status: l.querySelector('.layer-status')?.textContent, label: l.querySelector('progress')?.getAttribute('aria-label'),
      done: (l.querySelector('progress') as HTMLProgressElement).value === (l.querySelector('progress') as HTMLProgressElement).max,
    })));
    assert.equal(layers.length, 1, 'busybox is one layer');
    assert.equal(layers[0]!.status, 'Pull complete');
    assert.match(layers[0]!.label ?? '', /^Layer [0-9a-f]{12}: Pull complete$/);
    assert.ok(layers[0]!.done);
    const seen = await renders();
    assert.ok(seen.some((text) => /Pulling from dash\/bb/.test(text) && !text.includes('Status:')), `progress rendered before the end: ${seen.join(' ⏎ ')}`);
    await page.waitForSelector(imageRow('docker', ref));
    assert.equal(ok(dockerd.docker(['image', 'inspect', '-f', '{{index .RepoTags 0}}', ref]), 'inspect'), ref);
    await page.screenshot({ path: join(SHOTS, 'image-pull.png'), fullPage: true });

    // A pull the registry cannot serve: the engine's error, in the progress area.
    await page.fill('#pull-form input[name=image]', `${registry.hostPort}/dash/bb:nope`);
    await page.click('#pull-form button[type=submit]');
    await page.waitForSelector('#pull-progress .error >> text=/manifest unknown|not found/i', { timeout: 60_000 });
    await context.close();
  });

  test('history of an image; remove refused while a container uses it (the engine\'s reason shown), then forced', async () => {
    const { context, page } = await rig.signIn('admin', ADMIN_PASSWORD);
    await page.click('nav >> text=Images');
    await openImage(page, 'berth', 'bb:latest');
    await page.waitForSelector('#history-table tbody tr');
    assert.match((await page.textContent('#history-table tbody')) ?? '', /Imported from -/);
    await page.screenshot({ path: join(SHOTS, 'image-history.png'), fullPage: true });
    await page.click('#image-panel-close');

    // On dockerd the pulled reference is the image's only tag, and a container uses it: refused unless forced.
    ok(dockerd.docker(['create', '--network', 'none', '--name', 'uses-v1', ref, 'true']), 'create');
    await openImage(page, 'docker', ref);
    page.once('dialog', (d) => void d.accept());
    await page.click('#remove-image');
    const refusal = await (await page.waitForSelector('#remove-error')).textContent();
    assert.match(refusal ?? '', new RegExp(`^conflict: unable to remove repository reference "${ref.replace(/[.]/g, '\\.')}" \\(must force\\) - container [0-9a-f]{12} is using its referenced image [0-9a-f]{12}$`));
    assert.equal(dockerd.docker(['image', 'inspect', ref]).code, 0, 'still there');
    await page.screenshot({ path: join(SHOTS, 'image-remove-refused.png'), fullPage: true });
    await page.check('#remove-force');
    page.once('dialog', (d) => void d.accept());
    await page.click('#remove-image');
    await page.waitForSelector(imageRow('docker', ref), { state: 'detached' });
    assert.notEqual(dockerd.docker(['image', 'inspect', ref]).code, 0, 'removed');
    ok(dockerd.docker(['rm', 'uses-v1']), 'rm');
    // On berthd the image has bb:latest too: removing the pushed tag only untags, even with a container on it.
    ok(berthd.docker(['create', '--network', 'none', '--name', 'uses-v1', ref, 'true']), 'create');
    await openImage(page, 'berth', ref);
    await page.selectOption('#remove-which', ref);
    page.once('dialog', (d) => void d.accept());
    await page.click('#remove-image');
    await page.waitForSelector(imageRow('berth', ref), { state: 'detached' });
    assert.equal(ok(berthd.docker(['image', 'inspect', '-f', '{{json .RepoTags}}', 'bb:latest']), 'inspect'), '["bb:latest"]');
    ok(berthd.docker(['rm', 'uses-v1']), 'rm');
    await context.close();
  });

  test('run busybox httpd from the form with a published port, env, volumes, a network and limits, and reach it over loopback; the engine\'s errors are shown', async () => {
    const { context, page } = await rig.signIn('admin', ADMIN_PASSWORD);
    await page.click('nav >> text=Run');
    const port = await freePort();
    // A network of berthd's own for the form to pick (removed with the container, before the engines stop).
    ok(berthd.docker(['network', 'create', '--subnet', '10.231.61.0/24', 'form-net']), 'network create');
    rig.onStop(() => {
      berthd.docker(['rm', '-f', 'form-web']);
      berthd.docker(['network', 'rm', 'form-net']);
    });
    await page.selectOption('#run-host', 'berth');
    await page.fill('#run-form input[name=image]', 'bb:latest');
    await page.fill('#run-form input[name=name]', 'form-web');
    await page.fill('#run-form input[name=command]', `sh -c "echo served by the form, \\$GREETING > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"`);
    await page.fill('#run-form textarea[name=env]', 'GREETING=hello\nOTHER=1');
    await page.fill('#run-form textarea[name=volumes]', 'form-data:/data\nform-ro:/config:ro');
    await page.selectOption('#run-form select[name=network]', 'form-net');
    await page.click('#add-port');
    await page.fill('#run-form input[name=port-0-ip]', '127.0.0.1');
    await page.fill('#run-form input[name=port-0-host]', String(port));
    await page.fill('#run-form input[name=port-0-container]', '8080');
    await page.selectOption('#run-form select[name=restart]', 'on-failure');
    await page.fill('#run-form input[name=maxRetries]', '2');
    await page.fill('#run-form input[name=memoryMiB]', '64');
    await page.fill('#run-form input[name=cpus]', '0.5');
    await page.screenshot({ path: join(SHOTS, 'run-form.png'), fullPage: true });
    await page.click('#run-submit');
    await page.waitForSelector('#run-result >> text=/Started on berth/', { timeout: 60_000 });
    const body = await waitForValue('the published port to answer', () =>
      fetch(`http://127.0.0.1:${port}/index.html`).then((r) => (r.ok ? r.text() : undefined), () => undefined));
    assert.equal(body, 'served by the form, hello\n');
    const inspect = JSON.parse(ok(berthd.docker(['inspect', 'form-web']), 'inspect'))[0] as {
      Config: { Env: string[] }; HostConfig: { Memory: number; NanoCpus: number; RestartPolicy: { Name: string; MaximumRetryCount: number }; PortBindings: unknown };
      Mounts: Array<{ Type: string; Name: string; Destination: string; RW: boolean }>;
      NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
    };
    assert.deepEqual(Object.keys(inspect.NetworkSettings.Networks), ['form-net']);
    assert.match(inspect.NetworkSettings.Networks['form-net']!.IPAddress, /^10\.231\.61\./);
    assert.deepEqual(inspect.Mounts.map((m) => `${m.Type} ${m.Name} ${m.Destination} ${m.RW ? 'rw' : 'ro'}`).sort(), ['volume form-data /data rw', 'volume form-ro /config ro']);
    assert.ok(inspect.Config.Env.includes('GREETING=hello') && inspect.Config.Env.includes('OTHER=1'));
    assert.equal(inspect.HostConfig.Memory, 64 * 1024 * 1024);
    assert.equal(inspect.HostConfig.NanoCpus, 500_000_000);
    assert.deepEqual(inspect.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
    assert.deepEqual(inspect.HostConfig.PortBindings, { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    // The containers view links the published port.
    await page.click('#run-result a');
    await page.waitForSelector('#logs-title');

    // The same name again: the engine's conflict, as it words it.
    await page.click('nav >> text=Run');
    await page.selectOption('#run-host', 'docker');
    await page.fill('#run-form input[name=image]', 'bb:latest');
    await page.fill('#run-form input[name=name]', 'form-web');
    await page.fill('#run-form input[name=command]', 'sleep 60');
    ok(dockerd.docker(['create', '--network', 'none', '--name', 'form-web', 'bb:latest', 'true']), 'create');
    await page.click('#run-submit');
    assert.match((await (await page.waitForSelector('#run-error')).textContent()) ?? '', /^Conflict\. The container name "\/form-web" is already in use by container "[0-9a-f]{64}"/);
    // An image the host does not have is pulled first, as docker run does; from a registry that is not
    // there (a closed loopback port: tests reach no other address), that fails in docker run's words.
    await page.fill('#run-form input[name=name]', '');
    await page.fill('#run-form input[name=image]', '127.0.0.1:1/not-here:1');
    await page.click('#run-submit');
    await page.waitForSelector(`#run-error >> text=/^Unable to find image '127.0.0.1:1\\/not-here:1' locally: .*connection refused/`, { timeout: 60_000 });
    // What the form can judge itself.
    await page.fill('#run-form input[name=command]', 'echo "unclosed');
    await page.click('#run-submit');
    await page.waitForSelector('#run-error >> text="the command has an unclosed double quote"');
    await context.close();
  });

  test('the events feed: both hosts, live, filtered by host and type, sorted by any column', async () => {
    const { context, page } = await rig.signIn('admin', ADMIN_PASSWORD);
    await page.click('nav >> text=Events');
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const cells = (col: string) => page.$$eval(`#event-table tbody td.col-${col}`, (td) => td.map((t) => t.textContent ?? ''));
    for (const host of ['berth', 'docker']) {
      // History: the earlier tests' image events; then live, a volume made now behind the dashboard's back.
      await page.waitForSelector(`#event-table tbody tr:has(td.col-host:text-is("${host}")):has(td.col-type:text-is("image"))`);
      ok(engine(host).docker(['volume', 'create', `ev-${host}`]), 'volume create');
      await page.waitForSelector(`#event-table tbody tr:has(td.col-actor code:text-is("ev-${host}")):has(td.col-action:text-is("create"))`);
    }
    const times = await page.$$eval('#event-table tbody time', (t) => t.map((x) => Date.parse(x.getAttribute('datetime') ?? '')));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    await page.selectOption('#events-host', 'docker');
    await page.selectOption('#events-type', 'volume');
    assert.deepEqual([...new Set(await cells('host'))], ['docker']);
    assert.deepEqual([...new Set(await cells('type'))], ['volume']);
    assert.ok((await cells('actor')).includes('ev-docker'));
    await page.selectOption('#events-host', '');
    await page.click('#event-table th[data-key=actor] button');
    const actors = await cells('actor');
    assert.deepEqual(actors, [...actors].sort((a, b) => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' })));
    await page.selectOption('#events-type', '');
    await page.fill('#events-filter', 'ev-berth create');
    assert.deepEqual(await cells('actor'), ['ev-berth']);
    await page.fill('#events-filter', '');
    // Every column sorts both ways (nothing happens on the hosts meanwhile, so the rows stay put).
    await checkSortable(page, '#event-table');
    assert.equal(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload), true, 'no page reload');
    await page.screenshot({ path: join(SHOTS, 'events.png'), fullPage: true });
    for (const host of ['berth', 'docker']) ok(engine(host).docker(['volume', 'rm', `ev-${host}`]), 'volume rm');
    await context.close();
  });

  test('a viewer sees images, history and events but no actions, and the server refuses each one', async () => {
    const admin = await rig.signIn('admin', ADMIN_PASSWORD);
    const made = await admin.page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch('/api/users', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'looker', password: 'viewer password', role: 'viewer' }) });
      return res.status;
    });
    assert.equal(made, 201);
    await admin.context.close();

    const { context, page } = await rig.signIn('looker', 'viewer password');
    assert.equal(await page.$$eval('nav a', (links) => links.map((l) => l.textContent).join(',')), 'Containers,Hosts,Images,Networks,Volumes,Events,Compose,Registries', 'no Run and no Users');
    await page.click('nav >> text=Images');
    await openImage(page, 'docker', 'bb:latest');
    await page.waitForSelector('#history-table tbody tr');
    assert.equal(await page.$$eval('#pull-form, #tag-form, #push-form, #remove-form', (f) => f.length), 0, 'no forms');
    const imageId = ok(berthd.docker(['image', 'inspect', '-f', '{{.Id}}', 'bb:latest']), 'inspect');
    const statuses = await page.evaluate(async (id) => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const call = (method: string, path: string, body?: unknown) =>
        fetch(path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.status);
      const image = `/api/hosts/berth/images/${encodeURIComponent(id)}`;
      return [
        await call('POST', '/api/hosts/berth/images/pull', { image: 'bb:latest' }),
        await call('POST', `${image}/tag`, { target: 'stolen:1' }),
        await call('POST', `${image}/push`, {}),
        await call('DELETE', `${image}?force=1`),
        await call('POST', '/api/hosts/berth/run', { image: 'bb:latest', command: 'true' }),
        await call('GET', `${image}/history`),
      ];
    }, imageId);
    assert.deepEqual(statuses, [403, 403, 403, 403, 403, 200]);
    assert.equal(berthd.docker(['image', 'inspect', 'stolen:1']).code, 1, 'not tagged');
    assert.equal(ok(berthd.docker(['ps', '-aq']), 'ps').split('\n').filter(Boolean).length, 1, 'nothing run (only form-web)');
    await page.goto(`${rig.url}/#/run`);
    await page.waitForSelector('main >> text=Running containers needs the operator role.');
    await page.click('nav >> text=Events');
    await page.waitForSelector('#event-table tbody tr');
    await context.close();
  });

  test('usable on a phone: images (with pull progress) and the run form fit the width', async () => {
    const { context, page } = await rig.signIn('admin', ADMIN_PASSWORD, { width: 390, height: 844 });
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.click('nav >> text=Images');
    await page.waitForSelector(imageRow('docker', 'bb:latest'));
    await page.selectOption('#pull-host', 'docker');
    await page.fill('#pull-form input[name=image]', ref);
    assert.ok((await width()) <= 390, `images: no horizontal scrolling (${await width()}px)`);
    await page.screenshot({ path: join(SHOTS, 'images-phone.png'), fullPage: true });
    await page.click('nav >> text=Run');
    await page.click('#add-port');
    assert.ok((await width()) <= 390, `run: no horizontal scrolling (${await width()}px)`);
    await page.screenshot({ path: join(SHOTS, 'run-phone.png'), fullPage: true });
    await page.click('nav >> text=Events');
    await page.waitForSelector('#event-table tbody tr');
    assert.ok((await width()) <= 390, `events: no horizontal scrolling (${await width()}px)`);
    await page.screenshot({ path: join(SHOTS, 'events-phone.png'), fullPage: true });
    await context.close();
  });
});

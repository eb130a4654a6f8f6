/**
 * The dashboard's networks and volumes views with their actions, the
 * containers table's live CPU and memory columns, and the issue's "every
 * table sortable by every column and filterable", in headless Chromium over a
 * private berthd (mutual TLS) and a private dockerd 20.10
 * (dashboard-harness.ts): networks and volumes created from the forms on each
 * host, removed, and refused removal while in use (the engine's own words);
 * a viewer gets none of it; the views fit a phone. Screenshots go to
 * $BERTH_ARTEFACTS/dashboard like the other dashboard tests'.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { checkSortable, DashboardRig, ok, SHOTS, skipDashboard } from './dashboard-harness.js';
import type { ReferenceDockerd, TestDaemon } from './harness.js';
import { waitForNotice } from './notices.js';

/** Subnets unlikely to meet another test's (each bridge is removed by the test or at the end). */
const SUBNET = { berth: '10.231.17.0/24', docker: '10.231.18.0/24' };

describe('dashboard: networks and volumes with actions, CPU and memory of containers, every table sortable', { skip: skipDashboard }, () => {
  let rig: DashboardRig;
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  const engine = (host: string) => (host === 'berth' ? berthd : dockerd);
  const hosts = ['berth', 'docker'] as const;

  before(async () => {
    rig = await DashboardRig.start('berth-dashres-');
    berthd = rig.berthd!;
    dockerd = rig.dockerd!;
    for (const host of hosts) {
      // Containers go before the engines stop (the rig's own cleanup); networks and volumes after them.
      rig.onStop(() => void engine(host).docker(['network', 'rm', `net-${host}`, `net-${host}-2`]));
      rig.onStop(() => void engine(host).docker(['volume', 'rm', '-f', `vol-${host}`]));
      rig.onStop(() => void engine(host).docker(['rm', '-f', `on-net-${host}`, `uses-vol-${host}`, `busy-${host}`, `idle-${host}`, 'keyed']));
    }
  });

  after(async () => {
    await rig?.stop();
  });

  const notice = (page: Page, pattern: RegExp) => waitForNotice(page, pattern, true);

  test('networks: created from the form on each host, sorted and filtered, removal refused while in use (the engine\'s words), then removed', async () => {
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Networks');
    await page.click('summary >> text=Create a network');
    for (const host of hosts) {
      await page.selectOption('#networks-create-host', host);
      await page.fill('#network-form input[name=name]', `net-${host}`);
      await page.fill('#network-form input[name=subnet]', SUBNET[host]);
      if (host === 'docker') await page.check('#network-form input[name=internal]');
      await page.click('#network-form button[type=submit]');
      await page.waitForSelector(`#network-table tbody tr[data-key="${host}/net-${host}"] td.col-subnets >> text="${SUBNET[host]}"`);
      const inspect = JSON.parse(ok(engine(host).docker(['network', 'inspect', `net-${host}`]), 'inspect'))[0] as { Internal: boolean; IPAM: { Config: Array<{ Subnet: string }> } };
      assert.equal(inspect.IPAM.Config[0]!.Subnet, SUBNET[host]);
      assert.equal(inspect.Internal, host === 'docker');
    }
    await page.waitForSelector('#network-table tbody tr[data-key="docker/net-docker"] td.col-internal >> text="yes"');
    // The same name again: the engine's refusal, shown with the form.
    await page.fill('#network-form input[name=name]', 'net-docker');
    await page.fill('#network-form input[name=subnet]', '');
    await page.click('#network-form button[type=submit]');
    assert.match((await (await page.waitForSelector('#network-form-error')).textContent()) ?? '', /net-docker.*already exists|already exists.*net-docker/);

    assert.deepEqual(await checkSortable(page, '#network-table'), ['host', 'name', 'id', 'driver', 'scope', 'subnets', 'internal']);
    await page.fill('#networks-filter', 'net- 10.231.18');
    assert.deepEqual(await page.$$eval('#network-table tbody tr', (r) => r.map((x) => (x as HTMLElement).dataset.key)), ['docker/net-docker']);
    await page.fill('#networks-filter', 'net-');
    await page.screenshot({ path: join(SHOTS, 'networks.png'), fullPage: true });

    for (const host of hosts) {
      ok(engine(host).docker(['run', '-d', '--network', `net-${host}`, '--name', `on-net-${host}`, 'bb:latest', 'sleep', '3600']), 'run on the network');
      page.once('dialog', (d) => void d.accept());
      await page.click(`#network-table tbody tr[data-key="${host}/net-${host}"] button.remove`);
      assert.match(await notice(page, new RegExp(`network net-${host} id`)), new RegExp(`^error while removing network: network net-${host} id [0-9a-f]+ has active endpoints`));
      assert.equal(engine(host).docker(['network', 'inspect', `net-${host}`]).code, 0, 'still there');
      ok(engine(host).docker(['rm', '-f', `on-net-${host}`]), 'rm');
      page.once('dialog', (d) => void d.accept());
      await page.click(`#network-table tbody tr[data-key="${host}/net-${host}"] button.remove`);
      await page.waitForSelector(`#network-table tbody tr[data-key="${host}/net-${host}"]`, { state: 'detached' });
      assert.notEqual(engine(host).docker(['network', 'inspect', `net-${host}`]).code, 0, 'removed');
    }
    // A network made behind the dashboard's back shows up without a reload.
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    ok(dockerd.docker(['network', 'create', '--internal', 'net-docker-2']), 'network create');
    await page.waitForSelector('#network-table tbody tr[data-key="docker/net-docker-2"]');
    assert.equal(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload), true, 'no page reload');
    ok(dockerd.docker(['network', 'rm', 'net-docker-2']), 'network rm');
    await page.waitForSelector('#network-table tbody tr[data-key="docker/net-docker-2"]', { state: 'detached' });
    await context.close();
  });

  test('volumes: created from the form (named, and named by the engine), removal refused while a container uses one, then removed', async () => {
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Volumes');
    await page.click('summary >> text=Create a volume');
    for (const host of hosts) {
      await page.selectOption('#volumes-create-host', host);
      await page.fill('#volume-form input[name=name]', `vol-${host}`);
      await page.click('#volume-form button[type=submit]');
      await page.waitForSelector(`#volume-table tbody tr[data-key="${host}/vol-${host}"]`);
      assert.equal(ok(engine(host).docker(['volume', 'inspect', '-f', '{{.Driver}}', `vol-${host}`]), 'inspect'), 'local');
    }
    // No name: the engine picks one, and the notice tells it.
    const before = new Set(ok(dockerd.docker(['volume', 'ls', '-q']), 'ls').split('\n'));
    await page.selectOption('#volumes-create-host', 'docker');
    await page.click('#volume-form button[type=submit]');
    const made = /Created volume ([0-9a-f]{64}) on docker/.exec(await waitForNotice(page, /Created volume [0-9a-f]{64} on docker/, false))![1]!;
    assert.ok(!before.has(made) && ok(dockerd.docker(['volume', 'ls', '-q']), 'ls').split('\n').includes(made));
    await page.waitForSelector(`#volume-table tbody tr[data-key="docker/${made}"]`);
    assert.deepEqual(await checkSortable(page, '#volume-table'), ['host', 'name', 'driver', 'mountpoint', 'created']);
    await page.fill('#volumes-filter', 'vol-');
    await page.screenshot({ path: join(SHOTS, 'volumes-actions.png'), fullPage: true });
    await page.fill('#volumes-filter', '');

    for (const host of hosts) {
      ok(engine(host).docker(['create', '--network', 'none', '-v', `vol-${host}:/data`, '--name', `uses-vol-${host}`, 'bb:latest', 'true']), 'create');
      page.once('dialog', (d) => void d.accept());
      await page.click(`#volume-table tbody tr[data-key="${host}/vol-${host}"] button.remove`);
      assert.match(await notice(page, new RegExp(`vol-${host}.*in use`)), /in use/);
      ok(engine(host).docker(['rm', `uses-vol-${host}`]), 'rm');
      page.once('dialog', (d) => void d.accept());
      await page.click(`#volume-table tbody tr[data-key="${host}/vol-${host}"] button.remove`);
      await page.waitForSelector(`#volume-table tbody tr[data-key="${host}/vol-${host}"]`, { state: 'detached' });
      assert.notEqual(engine(host).docker(['volume', 'inspect', `vol-${host}`]).code, 0, 'removed');
    }
    page.once('dialog', (d) => void d.accept());
    await page.click(`#volume-table tbody tr[data-key="docker/${made}"] button.remove`);
    await page.waitForSelector(`#volume-table tbody tr[data-key="docker/${made}"]`, { state: 'detached' });
    await context.close();
  });

  test('the containers table shows each running container\'s CPU % and memory, live, and sorts by them', async () => {
    for (const host of hosts) {
      ok(engine(host).docker(['run', '-d', '--network', 'none', '--name', `busy-${host}`, 'bb:latest', 'sh', '-c', 'while :; do :; done']), 'run busy');
      ok(engine(host).docker(['create', '--network', 'none', '--name', `idle-${host}`, 'bb:latest', 'true']), 'create idle');
    }
    const { context, page } = await rig.signIn();
    const cell = (host: string, name: string, col: string) => `#container-table tbody tr[data-key="${host}/${name}"] td.col-${col}`;
    const cpu = async (host: string, name: string) => Number.parseFloat((await page.textContent(cell(host, name, 'cpu'))) ?? '');
    for (const host of hosts) {
      // A busy loop uses a good share of a CPU, however loaded the machine; the numbers come as the samples do.
      await page.waitForFunction((sel) => Number.parseFloat(document.querySelector(sel)?.textContent ?? '') > 5, cell(host, `busy-${host}`, 'cpu'), { timeout: 60_000 });
      await page.waitForSelector(`${cell(host, `busy-${host}`, 'memory')} >> text=/^[\\d.]+ (B|kB|MB)$/`);
      assert.equal(await page.textContent(cell(host, `idle-${host}`, 'cpu')), '', 'no numbers for a container that is not running');
    }
    assert.deepEqual(await checkSortable(page, '#container-table', ['cpu', 'memory']), ['host', 'name', 'image', 'state', 'health', 'ports', 'cpu', 'memory', 'created']);
    // Sorted by CPU, highest first: a busy container leads (the others sleep or are not running).
    await page.click('#container-table th[data-key="cpu"] button');
    if ((await page.getAttribute('#container-table th[data-key="cpu"]', 'aria-sort')) !== 'descending') await page.click('#container-table th[data-key="cpu"] button');
    const first = await page.$eval('#container-table tbody tr', (r) => (r as HTMLElement).dataset.key);
    assert.match(first ?? '', /^(berth|docker)\/busy-/);
    assert.ok((await cpu('berth', 'busy-berth')) > 0 && (await cpu('docker', 'busy-docker')) > 0);
    await page.screenshot({ path: join(SHOTS, 'containers-usage.png'), fullPage: true });
    for (const host of hosts) ok(engine(host).docker(['rm', '-f', `busy-${host}`, `idle-${host}`]), 'rm');
    await context.close();
  });

  test('every table of the hosts, images, registries and users views sorts by every column and filters', async () => {
    const { context, page } = await rig.signIn();
    await page.click('nav >> text=Hosts');
    await page.waitForSelector('#host-table tbody tr[data-key="docker"] td.col-status >> text="reachable"');
    await checkSortable(page, '#host-table');
    await page.fill('#host-filter', 'docker');
    assert.deepEqual(await page.$$eval('#host-table tbody tr', (r) => r.map((x) => (x as HTMLElement).dataset.key)), ['docker']);
    await page.click('nav >> text=Images');
    await page.waitForSelector('#image-table tbody tr');
    await checkSortable(page, '#image-table');
    await page.click('nav >> text=Users');
    await page.waitForSelector('#user-table tbody tr[data-key="admin"]');
    await checkSortable(page, '#user-table');
    await page.fill('#users-filter', 'nobody-by-this-name');
    await page.waitForSelector('#user-table tbody tr', { state: 'detached' });
    await page.fill('#users-filter', 'adm');
    assert.deepEqual(await page.$$eval('#user-table tbody tr', (r) => r.map((x) => (x as HTMLElement).dataset.key)), ['admin']);
    await page.fill('#users-filter', '');
    // Registries: adding one does not contact it; the table sorts and filters like the rest.
    await page.click('nav >> text=Registries');
    await page.click('summary >> text=Add a registry');
    for (const [name, url] of [['alpha', 'http://127.0.0.1:1'], ['beta', 'https://registry.invalid']]) {
      await page.fill('#add-registry input[name=url]', url);
      await page.fill('#add-registry input[name=name]', name);
      await page.click('#add-registry button[type=submit]');
      await page.waitForSelector(`#registry-table tbody tr[data-key="${name}"]`);
    }
    assert.deepEqual(await checkSortable(page, '#registry-table'), ['name', 'url', 'user']);
    await page.fill('#registries-filter', 'invalid');
    assert.deepEqual(await page.$$eval('#registry-table tbody tr', (r) => r.map((x) => (x as HTMLElement).dataset.key)), ['beta']);
    await page.fill('#registries-filter', '');
    for (const name of ['alpha', 'beta']) {
      page.once('dialog', (d) => void d.accept());
      await page.click(`#registry-table button[aria-label="Remove registry ${name}"]`);
      await page.waitForSelector(`#registry-table tbody tr[data-key="${name}"]`, { state: 'detached' });
    }
    await context.close();
  });

  test('a container\'s processes and files and an image\'s history sort by every column and filter, on each host', async () => {
    for (const host of hosts) {
      rig.onStop(() => void engine(host).docker(['rm', '-f', `procs-${host}`, `files-${host}`]));
      rig.onStop(() => void engine(host).docker(['rmi', `hist-${host}:1`]));
      ok(engine(host).docker(['run', '-d', '--network', 'none', '--name', `procs-${host}`, 'bb:latest', 'sh', '-c', 'sleep 3600 & sleep 3601 & exec tail -f /dev/null']), 'run procs');
      ok(engine(host).docker(['commit', '-m', 'a filtered layer', `procs-${host}`, `hist-${host}:1`]), 'commit');
      ok(engine(host).docker(['run', '-d', '--network', 'none', '--name', `files-${host}`, 'bb:latest', 'sleep', '3600']), 'run files');
    }
    const { context, page } = await rig.signIn();
    const keys = (table: string) => page.$$eval(`${table} tbody tr`, (r) => r.map((x) => (x as HTMLElement).dataset.key));
    for (const host of hosts) {
      await page.goto(`${rig.url}/#/containers`);
      await page.click(`#container-table tbody tr[data-key="${host}/procs-${host}"] td.col-name a`);
      // Processes: ps's columns, whichever the engine sends; CPU share and time may move between refreshes.
      await page.click('#processes-summary');
      await page.waitForSelector('#process-table td >> text="sleep 3601"');
      const sorted = await checkSortable(page, '#process-table', ['c', 'time']);
      assert.ok(sorted.includes('pid') && sorted.includes('cmd'), sorted.join(','));
      assert.equal((await keys('#process-table')).length, 3, 'tail and two sleeps');
      // A word, not a number: a number could be part of a PID too.
      await page.fill('#processes-filter', 'tail');
      await page.waitForFunction(() => document.querySelectorAll('#process-table tbody tr').length === 1);
      assert.equal(await page.textContent('#process-table tbody td.col-cmd'), 'tail -f /dev/null');
      await page.fill('#processes-filter', 'no such process');
      await page.waitForSelector('#process-table + .empty >> text="No processes match."');
      // Files: every column but the download links sorts; the filter keeps to the directory it was typed in.
      await page.goto(`${rig.url}/#/containers`);
      await page.click(`#container-table tbody tr[data-key="${host}/files-${host}"] td.col-name a`);
      await page.click('#files-panel summary');
      // The listing reads the container's root through the archive API: slow on a loaded host, and an error is worth seeing.
      const listed = await page.waitForSelector('#files-table tbody tr[data-key="etc"], #files-panel .error', { timeout: 90_000 }).catch((err: Error) => {
        throw new Error(`${host}: the root of files-${host} was not listed: ${err.message}`);
      });
      assert.equal(await listed.getAttribute('data-key'), 'etc', `${host}: ${await listed.textContent()}`);
      assert.deepEqual(await checkSortable(page, '#files-table'), ['name', 'size', 'mode', 'mtime', 'target']);
      await page.fill('#files-filter', 'etc');
      await page.waitForFunction(() => document.querySelectorAll('#files-table tbody tr').length === 1);
      assert.deepEqual(await keys('#files-table'), ['etc']);
      if (host === 'berth') await page.screenshot({ path: join(SHOTS, 'container-files-filtered.png'), fullPage: true });
      await page.click('#files-table tbody tr[data-key="etc"] button.open');
      await page.waitForSelector('#files-table tbody tr[data-key="passwd"]');
      assert.equal(await page.inputValue('#files-filter'), '');
      await page.fill('#files-filter', 'passwd');
      await page.waitForFunction(() => document.querySelectorAll('#files-table tbody tr').length === 1);
      assert.deepEqual(await keys('#files-table'), ['passwd']);
      // History: the import and the commit; the commit's message finds its layer.
      await page.click('nav >> text=Images');
      await page.click(`#image-table tbody tr[data-key^="${host}/"]:has(code:text-is("hist-${host}:1")) button.details`);
      await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length === 2);
      await checkSortable(page, '#history-table');
      await page.fill('#history-filter', 'filtered layer');
      await page.waitForFunction(() => document.querySelectorAll('#history-table tbody tr').length === 1);
      assert.equal(await page.textContent('#history-table tbody td.col-comment'), 'a filtered layer');
      if (host === 'docker') await page.screenshot({ path: join(SHOTS, 'image-history-filtered.png'), fullPage: true });
    }
    await context.close();
  });

  test('keyboard and labels: every control of every view has a name; skip link, sorting and a container action by keyboard alone', async () => {
    ok(dockerd.docker(['run', '-d', '--network', 'none', '--name', 'keyed', 'bb:latest', 'sleep', '3600']), 'run');
    const { context, page } = await rig.signIn();
    // Controls without an accessible name: no <label>, aria-label(ledby) or text (hidden inputs and the file tree's links aside).
    const unnamed = () => page.$$eval('main input:not([type=hidden]), main select, main textarea, main button, main a[href], header button, header a[href]', (els) => els.filter((el) => {
      const e = el as HTMLInputElement;
      const labelled = (e.labels?.length ?? 0) > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.getAttribute('title');
      const text = ['BUTTON', 'A'].includes(e.tagName) && (e.textContent ?? '').trim();
      return !labelled && !text;
    }).map((e) => e.outerHTML.slice(0, 120)));
    for (const view of ['containers', 'hosts', 'images', 'networks', 'volumes', 'events', 'compose', 'registries', 'run', 'users']) {
      await page.goto(`${rig.url}/#/${view}`);
      await page.waitForSelector(`main h1`);
      await page.$$eval('main details', (d) => d.forEach((x) => ((x as HTMLDetailsElement).open = true)));
      assert.deepEqual(await unnamed(), [], `${view}: unnamed controls`);
    }
    await page.goto(`${rig.url}/#/container/docker/keyed`);
    await page.waitForSelector('#logs-title');
    assert.deepEqual(await unnamed(), [], 'container page: unnamed controls');

    // The skip link is the first stop and moves focus to the main content.
    await page.goto(`${rig.url}/#/containers`);
    await page.waitForSelector('#container-table tbody tr[data-key="docker/keyed"]');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');
    // Sort by name by keyboard: focus reaches the header button with Tab, Enter sorts.
    let guard = 0;
    while (!(await page.evaluate(() => document.activeElement?.closest('th')?.getAttribute('data-key') === 'name')) && guard++ < 40) await page.keyboard.press('Tab');
    const before = await page.getAttribute('#container-table th[data-key="name"]', 'aria-sort');
    await page.keyboard.press('Enter');
    assert.notEqual(await page.getAttribute('#container-table th[data-key="name"]', 'aria-sort'), before);
    // Stop a container with the keyboard: Tab to its Stop button, Enter (and accept if asked).
    page.on('dialog', (d) => void d.accept());
    guard = 0;
    while (!(await page.evaluate(() => document.activeElement?.matches('tr[data-key="docker/keyed"] button.stop') ?? false)) && guard++ < 200) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#container-table tbody tr[data-key="docker/keyed"] td.col-state >> text="exited"', { timeout: 30_000 });
    assert.equal(ok(dockerd.docker(['inspect', '-f', '{{.State.Status}}', 'keyed']), 'inspect'), 'exited');
    ok(dockerd.docker(['rm', '-f', 'keyed']), 'rm');
    await context.close();
  });

  test('a viewer sees networks and volumes but no forms or remove buttons, and the server refuses each action', async () => {
    const admin = await rig.signIn();
    const made = await admin.page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      return (await fetch('/api/users', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ name: 'looker', password: 'viewer password', role: 'viewer' }) })).status;
    });
    assert.equal(made, 201);
    await admin.context.close();
    ok(berthd.docker(['volume', 'create', 'kept']), 'volume create');
    rig.onStop(() => void berthd.docker(['volume', 'rm', '-f', 'kept']));

    const { context, page } = await rig.signIn('looker', 'viewer password');
    for (const view of ['Networks', 'Volumes']) {
      await page.click(`nav >> text=${view}`);
      await page.waitForSelector(`#${view.toLowerCase().replace(/s$/, '')}-table tbody tr[data-key^="berth/"]`);
      assert.equal(await page.$$eval('#network-form, #volume-form, button.remove, th[data-key=actions]', (x) => x.length), 0, `${view}: no actions`);
    }
    const statuses = await page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const call = (method: string, path: string, body?: unknown) =>
        fetch(path, { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.status);
      return [
        await call('POST', '/api/hosts/berth/networks', { name: 'sneaky' }),
        await call('DELETE', '/api/hosts/berth/networks/bridge'),
        await call('POST', '/api/hosts/berth/volumes', { name: 'sneaky' }),
        await call('DELETE', '/api/hosts/berth/volumes/kept'),
      ];
    });
    assert.deepEqual(statuses, [403, 403, 403, 403]);
    assert.notEqual(berthd.docker(['network', 'inspect', 'sneaky']).code, 0);
    assert.equal(berthd.docker(['volume', 'inspect', 'kept']).code, 0);
    await context.close();
  });

  test('usable on a phone: networks and volumes, with their forms open, fit the width', async () => {
    const { context, page } = await rig.signIn(undefined, undefined, { width: 390, height: 844 });
    const width = () => page.evaluate(() => document.documentElement.scrollWidth);
    for (const [view, form] of [['Networks', 'network'], ['Volumes', 'volume']]) {
      await page.click('nav >> text=' + view);
      await page.click(`summary >> text=Create a ${form}`);
      await page.waitForSelector(`#${form}-table tbody tr`);
      assert.ok((await width()) <= 390, `${view}: no horizontal scrolling (${await width()}px)`);
      await page.screenshot({ path: join(SHOTS, `${view.toLowerCase()}-phone.png`), fullPage: true });
    }
    await context.close();
  });
});

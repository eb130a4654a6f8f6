/**
 * berth dashboard end to end, in headless Chromium (Debian's chromium driven
 * by playwright-core), against two real engines at once: a private berthd and
 * a private dockerd 20.10, both reached over tcp:// with mutual TLS. Log in
 * (refused without), both hosts, sort and filter containers, stop/start one on
 * each host and watch the state change live, follow logs as lines arrive, a
 * viewer who cannot stop anything even with a forged request, an operator who
 * can; restart, kill and remove (a row and the selection), health and
 * published ports as links, the hosts' counts following live; a dashboard
 * served over HTTPS whose first visit sets the admin's password. Screenshots
 * of the main views go to $BERTH_ARTEFACTS (default
 * /tmp/berth-dashboard-shots), printed at the start.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ADMIN_PASSWORD, DashboardRig, ok, serveDashboard, SHOTS, skipDashboard as skip, stopDashboard } from './dashboard-harness.js';
import { waitForValue, type ReferenceDockerd, type TestDaemon } from './harness.js';
import { freePort } from './tls-certs.js';
import { waitForNotice } from './notices.js';

describe('berth dashboard in Chromium, over berthd and dockerd 20.10 (both with mutual TLS)', { skip }, () => {
  let rig: DashboardRig;
  let dir: string;
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  let url: string;
  const signIn = (user: string, password: string, viewport?: { width: number; height: number }) => rig.signIn(user, password, viewport);

  const row = (host: string, name: string) => `#container-table tbody tr[data-key="${host}/${name}"]`;
  const keys = (page: Page) => page.$$eval('#container-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.key));
  const waitState = (page: Page, host: string, name: string, state: string) =>
    page.waitForSelector(`${row(host, name)} td.col-state >> text="${state}"`, { timeout: 30_000 });

  /** An admin adds a user in the Users view (and keeps a screenshot of it when `shot` names one). */
  const addUser = async (name: string, password: string, role: string, shot?: string) => {
    const admin = await signIn('admin', ADMIN_PASSWORD);
    await admin.page.click('nav >> text=Users');
    await admin.page.fill('#add-user input[name=name]', name);
    await admin.page.fill('#add-user input[name=password]', password);
    await admin.page.selectOption('#add-user select[name=role]', role);
    await admin.page.click('#add-user button[type=submit]');
    await admin.page.waitForSelector(`#user-table tbody tr[data-key="${name}"]`);
    if (shot) await admin.page.screenshot({ path: join(SHOTS, shot), fullPage: true });
    await admin.context.close();
  };

  before(async () => {
    rig = await DashboardRig.start('berth-dashboard-');
    ({ dir, url } = rig);
    berthd = rig.berthd!;
    dockerd = rig.dockerd!;
    const ticker = 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.5; done';
    for (const [engine, suffix] of [[berthd, 'berth'], [dockerd, 'docker']] as const) {
      ok(engine.docker(['run', '-d', '--network', 'none', '--name', `web-${suffix}`, 'bb:latest', 'sleep', '3600']), 'run');
      ok(engine.docker(['create', '--network', 'none', '--name', `idle-${suffix}`, 'bb:latest', 'true']), 'create');
      ok(engine.docker(['run', '-d', '--network', 'none', '--name', `ticker-${suffix}`, 'bb:latest', 'sh', '-c', ticker]), 'run ticker');
    }
  });

  after(async () => {
    await rig?.stop();
  });

  test('without a session: 401 from the API and the login page for /', async () => {
    for (const path of ['/api/hosts', '/api/containers', '/api/hosts/berth/containers/web-berth', '/api/hosts/docker/containers/web-docker/logs']) {
      const res = await fetch(`${url}${path}`);
      assert.equal(res.status, 401, path);
    }
    const page = await rig.browser!.newPage();
    await page.goto(`${url}/`);
    await page.waitForSelector('#login-form');
    await page.fill('#login-form input[name=password]', 'not the password');
    await page.click('#login-form button[type=submit]');
    assert.match((await page.textContent('#login-error')) ?? '', /wrong user name or password/);
    await page.screenshot({ path: join(SHOTS, 'login.png') });
    await page.close();
  });

  test('the hosts view shows both engines: reachable, version, OS and kernel, CPUs, memory, counts and disk', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    await page.click('nav >> text=Hosts');
    const cell = (host: string, col: string) => page.textContent(`#host-table tbody tr[data-key="${host}"] td.col-${col}`);
    for (const host of ['berth', 'docker']) {
      await page.waitForSelector(`#host-table tbody tr[data-key="${host}"] td.col-status >> text="reachable"`);
      await page.waitForFunction((h) => document.querySelector(`#host-table tbody tr[data-key="${h}"] td.col-running`)?.textContent === '2', host);
      assert.match((await cell(host, 'cpus')) ?? '', /^\d+$/);
      assert.match((await cell(host, 'memory')) ?? '', /\d+(\.\d+)? (MB|GB|TB)/);
      assert.equal(await cell(host, 'stopped'), '1');
      assert.equal(await cell(host, 'images'), '1');
      assert.match((await cell(host, 'disk')) ?? '', /\d+(\.\d+)? (B|kB|MB)/);
      // OS and kernel as the engine tells them (docker info).
      const info = ok((host === 'berth' ? berthd : dockerd).docker(['info', '-f', '{{.OperatingSystem}}|{{.KernelVersion}}']), 'info').split('|');
      assert.ok(info[0] && info[1], info.join('|'));
      assert.equal(await page.$eval(`#host-table tbody tr[data-key="${host}"] td.col-os span.dim`, (s) => s.textContent?.split(' ')[0]), info[1]);
      assert.ok(((await cell(host, 'os')) ?? '').startsWith(info[0]!), `${await cell(host, 'os')} starts with ${info[0]}`);
    }
    assert.match((await cell('docker', 'version')) ?? '', /^20\.10\.\d+/);
    for (const host of ['berth', 'docker']) assert.match((await cell(host, 'name')) ?? '', /tcp:\/\/127\.0\.0\.1:\d+TLS/, `${host} over mutual TLS`);
    const berthVersion = JSON.parse(ok(berthd.docker(['version', '--format', '{{json .Server.Version}}']), 'version')) as string;
    assert.match((await cell('berth', 'version')) ?? '', new RegExp(`^${berthVersion.replace(/\./g, '\\.')}`));
    await page.screenshot({ path: join(SHOTS, 'hosts.png'), fullPage: true });

    // An admin adds a host in the UI: one nobody listens on shows as unreachable, with the reason.
    await page.click('summary >> text=Add a host');
    await page.fill('#add-host input[name=name]', 'nowhere');
    await page.fill('#add-host input[name=host]', `unix://${join(dir, 'nobody.sock')}`);
    await page.click('#add-host button[type=submit]');
    await page.waitForSelector('#host-table tbody tr[data-key="nowhere"] td.col-status >> text=/unreachable: .*ENOENT|no such file/i');
    const stored = JSON.parse(await readFile(join(dir, 'data', 'hosts.json'), 'utf8')) as Array<{ name: string }>;
    assert.deepEqual(stored.map((h) => h.name), ['nowhere'], 'kept in hosts.json (the --hosts file\'s are not)');
    page.on('dialog', (d) => void d.accept());
    await page.click('#host-table tbody tr[data-key="nowhere"] button.danger');
    await page.waitForSelector('#host-table tbody tr[data-key="nowhere"]', { state: 'detached' });
    assert.equal(await page.$$eval('#host-table tbody tr[data-key="berth"] button', (b) => b.length), 0, 'hosts from --hosts cannot be removed in the UI');

    // berthd again, added in the UI over tcp:// with mutual TLS (files on the dashboard's side): refused without the client certificate, reachable with it.
    const tcp = /host: (tcp:\/\/\S+)/.exec(await readFile(join(dir, 'hosts.yml'), 'utf8'))![1]!;
    const certs = rig.certs!;
    const addHost = async (name: string, files: Record<string, string>) => {
      if (!(await page.$('#add-host:visible'))) await page.click('summary >> text=Add a host');
      await page.fill('#add-host input[name=name]', name);
      await page.fill('#add-host input[name=host]', tcp);
      for (const [key, value] of Object.entries(files)) await page.fill(`#add-host input[name=${key}]`, value);
      await page.click('#add-host button[type=submit]');
    };
    await addHost('no-client-cert', { tlscacert: certs.ca });
    await page.waitForSelector('#host-table tbody tr[data-key="no-client-cert"] td.col-status >> text=/unreachable: /', { timeout: 30_000 });
    await addHost('berth-ui', { tlscacert: certs.ca, tlscert: certs.clientCert, tlskey: certs.clientKey });
    await page.waitForSelector('#host-table tbody tr[data-key="berth-ui"] td.col-status >> text="reachable"', { timeout: 30_000 });
    assert.equal(await cell('berth-ui', 'version'), await cell('berth', 'version'));
    for (const name of ['no-client-cert', 'berth-ui']) {
      await page.click(`#host-table tbody tr[data-key="${name}"] button.danger`);
      await page.waitForSelector(`#host-table tbody tr[data-key="${name}"]`, { state: 'detached' });
    }
    await context.close();
  });

  test('containers of both hosts in one table, sorted by any column and filtered', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    await page.waitForSelector(row('docker', 'ticker-docker'));
    await page.waitForSelector(row('berth', 'ticker-berth'));
    const all = ['berth/idle-berth', 'docker/idle-docker', 'berth/ticker-berth', 'docker/ticker-docker', 'berth/web-berth', 'docker/web-docker'];
    assert.deepEqual(await keys(page), all, 'sorted by name');
    await page.click('#container-table th[data-key=name] button');
    assert.deepEqual(await keys(page), [...all].reverse(), 'by name, descending');
    assert.equal(await page.getAttribute('#container-table th[data-key=name]', 'aria-sort'), 'descending');
    await page.click('#container-table th[data-key=host] button');
    assert.deepEqual(await keys(page), ['berth/idle-berth', 'berth/ticker-berth', 'berth/web-berth', 'docker/idle-docker', 'docker/ticker-docker', 'docker/web-docker']);
    await page.click('#container-table th[data-key=state] button');
    assert.deepEqual((await keys(page)).slice(0, 2), ['berth/idle-berth', 'docker/idle-docker'], '"created" sorts first');
    await page.click('#container-table th[data-key=created] button');
    assert.equal((await keys(page)).length, 6);
    await page.fill('#container-filter', 'web');
    assert.deepEqual((await keys(page)).sort(), ['berth/web-berth', 'docker/web-docker']);
    await page.fill('#container-filter', 'tick docker');
    assert.deepEqual(await keys(page), ['docker/ticker-docker'], 'every word must match');
    await page.fill('#container-filter', '');
    await page.selectOption('#host-select', 'berth');
    await page.selectOption('#state-select', 'running');
    assert.deepEqual((await keys(page)).sort(), ['berth/ticker-berth', 'berth/web-berth']);
    await page.selectOption('#host-select', '');
    await page.selectOption('#state-select', '');
    await page.click('#container-table th[data-key=name] button');
    await page.screenshot({ path: join(SHOTS, 'containers.png'), fullPage: true });
    await context.close();
  });

  test('stop and start a container on each host from the page and see the state change live', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    await page.waitForSelector(row('docker', 'web-docker'));
    // Marks this document: had the page reloaded, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    for (const host of ['berth', 'docker']) {
      await page.click(`${row(host, `web-${host}`)} button.stop`);
      await waitState(page, host, `web-${host}`, 'exited');
    }
    assert.equal(ok(berthd.docker(['inspect', '-f', '{{.State.Status}}', 'web-berth']), 'inspect'), 'exited');
    assert.equal(ok(dockerd.docker(['inspect', '-f', '{{.State.Status}}', 'web-docker']), 'inspect'), 'exited');
    // Start both at once, through the selection.
    await page.check(`${row('berth', 'web-berth')} td.select input`);
    await page.check(`${row('docker', 'web-docker')} td.select input`);
    await page.click('#bulk-start');
    for (const host of ['berth', 'docker']) await waitState(page, host, `web-${host}`, 'running');
    // The selection's other actions, on both hosts at once (the boxes stay checked between them).
    page.on('dialog', (d) => void d.accept());
    const bulk = async (action: string, state: string) => {
      await page.click(`#bulk-${action}`);
      for (const host of ['berth', 'docker']) await waitState(page, host, `web-${host}`, state);
    };
    await bulk('pause', 'paused');
    await bulk('unpause', 'running');
    const startedAt = () => [berthd, dockerd].map((d, i) => ok(d.docker(['inspect', '-f', '{{.State.StartedAt}}', `web-${['berth', 'docker'][i]}`]), 'inspect'));
    const before = startedAt();
    await page.click('#bulk-restart');
    await waitForValue('both to restart', async () => (startedAt().every((t, i) => t !== before[i]) ? true : undefined));
    for (const host of ['berth', 'docker']) await waitState(page, host, `web-${host}`, 'running');
    await bulk('kill', 'exited');
    await bulk('start', 'running');
    // A change made behind the dashboard's back (the docker CLI) shows up too, from /events.
    ok(dockerd.docker(['stop', '-t', '1', 'web-docker']), 'docker stop');
    await waitState(page, 'docker', 'web-docker', 'exited');
    ok(berthd.docker(['stop', '-t', '1', 'web-berth']), 'berth stop');
    await waitState(page, 'berth', 'web-berth', 'exited');
    ok(dockerd.docker(['start', 'web-docker']), 'docker start');
    ok(berthd.docker(['start', 'web-berth']), 'berth start');
    await waitState(page, 'docker', 'web-docker', 'running');
    await waitState(page, 'berth', 'web-berth', 'running');
    assert.equal(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload), true, 'no page reload');
    await context.close();
  });

  test('a container page follows its logs as lines arrive, searches them and offers them for download', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    await page.click(`${row('berth', 'ticker-berth')} td.col-name a`);
    await page.waitForSelector('#logs >> text=/tick \\d+/');
    const last = async () => Math.max(...[...((await page.textContent('#logs')) ?? '').matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const seen = await last();
    await page.waitForFunction((n) => [...(document.querySelector('#logs')?.textContent ?? '').matchAll(/tick (\d+)/g)].some((m) => Number(m[1]) > n + 1), seen);
    await page.fill('#logs-search', 'tick 1');
    const shown = ((await page.textContent('#logs')) ?? '').split('\n').filter(Boolean);
    assert.ok(shown.length > 0 && shown.every((l) => l.includes('tick 1')), shown.join('|'));
    assert.match((await page.textContent('#inspect')) ?? '', /"Name": "\/ticker-berth"/);
    await page.screenshot({ path: join(SHOTS, 'container-logs.png'), fullPage: true });
    const download = await context.request.get(`${url}${await page.getAttribute('#logs-download', 'href')}`);
    assert.equal(download.status(), 200);
    assert.match(download.headers()['content-disposition'] ?? '', /attachment; filename="ticker-berth.log"/);
    assert.match(await download.text(), /^tick 0\ntick 1\n/);
    // Follow off: the stream ends and the lines stay as they were while the container goes on; on again, they move.
    await page.fill('#logs-search', '');
    await page.uncheck('#logs-follow');
    await page.waitForSelector('#logs-state >> text="ended"');
    const frozen = await last();
    await waitForValue('ticker-berth to log past the frozen lines', async () =>
      (Math.max(...[...ok(berthd.docker(['logs', '--tail', '5', 'ticker-berth']), 'logs').matchAll(/tick (\d+)/g)].map((m) => Number(m[1]))) > frozen + 2 ? true : undefined));
    assert.equal(await last(), frozen, 'no lines added while not following');
    await page.check('#logs-follow');
    await page.waitForSelector('#logs-state >> text="following"');
    await page.waitForFunction((n) => [...(document.querySelector('#logs')?.textContent ?? '').matchAll(/tick (\d+)/g)].some((m) => Number(m[1]) > n + 2), frozen);
    // The same through dockerd.
    await page.goto(`${url}/#/containers`);
    await page.click(`${row('docker', 'ticker-docker')} td.col-name a`);
    await page.waitForSelector('#logs >> text=/tick \\d+/');
    // Its page has the actions too: pause and unpause it, the state following live.
    await page.click('button.pause');
    await page.waitForSelector('#container-state >> text="paused"');
    assert.equal(ok(dockerd.docker(['inspect', '-f', '{{.State.Status}}', 'ticker-docker']), 'inspect'), 'paused');
    await page.click('button.unpause');
    await page.waitForSelector('#container-state >> text="running"');
    await context.close();
  });

  /** Opens a WebSocket from the page; resolves "open" or "refused". */
  const tryWebSocket = (page: Page, path: string) => page.evaluate((p) => new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://${location.host}${p}`);
    ws.onopen = () => { ws.close(); resolve('open'); };
    ws.onerror = () => resolve('refused');
  }), path);

  /** The terminal's rows as text (xterm.js renders each row as a div). */
  const terminalRows = (page: Page) => page.$$eval('#terminal .xterm-rows > div', (rows) => rows.map((r) => (r.textContent ?? '').trim()));

  test('a terminal in the browser on each host: type echo hi and read hi; the TTY follows the terminal\'s size', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    for (const host of ['berth', 'docker']) {
      await page.goto(`${url}/#/containers`);
      await page.click(`${row(host, `web-${host}`)} td.col-name a`);
      await page.click('#terminal-open');
      await page.waitForSelector('#terminal-state >> text="connected"');
      await page.click('#terminal');
      await page.keyboard.type('echo hi\n');
      await page.waitForFunction(() => [...document.querySelectorAll('#terminal .xterm-rows > div')].some((r) => r.textContent?.trim() === 'hi'), undefined, { timeout: 30_000 });
      assert.ok((await terminalRows(page)).some((r) => r.endsWith('echo hi')), 'the typed command is echoed');
      if (host === 'berth') await page.screenshot({ path: join(SHOTS, 'container-terminal.png'), fullPage: true });
      // Resize: narrow the window, and the shell's TTY gets the terminal's new size.
      const size = () => page.$eval('#terminal', (t) => `${(t as HTMLElement).dataset.rows} ${(t as HTMLElement).dataset.cols}`);
      const wide = await size();
      await page.setViewportSize({ width: 640, height: 720 });
      const narrow = await waitForValue('the terminal to narrow', async () => ((await size()) !== wide ? size() : undefined));
      await page.keyboard.type('stty size\n');
      await page.waitForFunction((s) => [...document.querySelectorAll('#terminal .xterm-rows > div')].some((r) => r.textContent?.trim() === s), narrow, { timeout: 30_000 });
      await page.setViewportSize({ width: 1280, height: 720 });
      await page.click('#terminal-close');
      // Closing the terminal ends its shell: only the container's own process is left.
      const engine = host === 'berth' ? berthd : dockerd;
      await waitForValue('the shell to exit', async () => (ok(engine.docker(['top', `web-${host}`]), 'top').split('\n').length === 2 ? true : undefined));
    }
    // Without the CSRF token the upgrade is refused, even for an admin.
    assert.equal(await tryWebSocket(page, '/api/hosts/berth/containers/web-berth/exec'), 'refused');
    await context.close();
  });

  test('live CPU, memory, network and block I/O charts move with the stats stream; the counters and the processes (top) on each host', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    const count = () => page.$eval('#chart-cpu', (svg) => Number(svg.getAttribute('data-points')));
    for (const host of ['berth', 'docker']) {
      await page.goto(`${url}/#/containers`);
      await page.click(`${row(host, `web-${host}`)} td.col-name a`);
      await page.waitForFunction(() => Number(document.querySelector('#chart-cpu')?.getAttribute('data-points')) >= 1, undefined, { timeout: 30_000 });
      const first = await count();
      await page.waitForFunction((n) => Number(document.querySelector('#chart-cpu')?.getAttribute('data-points')) >= n + 2, first, { timeout: 30_000 });
      const drawn = await page.$eval('#chart-memory polyline', (p) => (p.getAttribute('points') ?? '').split(' ').filter(Boolean).length);
      assert.ok(drawn >= first + 2, `memory chart has ${drawn} points`);
      assert.match((await page.textContent('#chart-memory >> xpath=..')) ?? '', /^Memory \d+(\.\d+)? (B|kB|MB|GB) \(limit \d+(\.\d+)? (MB|GB|TB)\), scale 0 to \d/);
      // Network and block I/O rates are charts too, two lines each (one fewer point than the samples: a rate needs two).
      for (const [chart, names] of [['#chart-net', 'in,out'], ['#chart-block', 'read,write']] as const) {
        assert.equal(await page.$$eval(`${chart} polyline`, (p) => p.map((l) => l.getAttribute('data-series')).join(',')), names);
        assert.ok(Number(await page.getAttribute(chart, 'data-points')) >= first + 1, `${chart} follows the stream`);
        assert.match((await page.getAttribute(chart, 'aria-label')) ?? '', new RegExp(`^(Network|Block I/O): ${names.split(',').map((n) => `${n} \\d+(\\.\\d+)? (B|kB|MB)/s`).join(', ')}$`));
      }
      assert.match((await page.textContent('#stats-net')) ?? '', /^\d+(\.\d+)? (B|kB|MB) \/ \d+(\.\d+)? (B|kB|MB)/);
      assert.match((await page.textContent('#stats-block')) ?? '', /^\d+(\.\d+)? (B|kB|MB|GB) \/ /);
      assert.match((await page.textContent('#stats-pids')) ?? '', /^[1-9]\d*$/);
      await page.click('#processes-summary');
      await page.waitForSelector('#process-table td >> text="sleep 3600"');
      const titles = await page.$$eval('#process-table th button.sort', (b) => b.map((t) => t.firstChild?.textContent));
      assert.ok(titles.includes('PID') && titles.includes('CMD'), titles.join(','));
    }
    // The screenshot for review: a container that does something (the ticker), with enough samples for the lines to show.
    await page.goto(`${url}/#/containers`);
    await page.click(`${row('docker', 'ticker-docker')} td.col-name a`);
    await page.waitForFunction(() => Number(document.querySelector('#chart-cpu')?.getAttribute('data-points')) >= 12, undefined, { timeout: 60_000 });
    await page.screenshot({ path: join(SHOTS, 'container-stats.png'), fullPage: true });
    await context.close();
  });

  test('an admin adds a viewer, who sees everything but cannot stop anything (the server refuses a forged request)', async () => {
    await addUser('watcher', 'viewer password', 'viewer', 'users.png');

    const { context, page } = await signIn('watcher', 'viewer password');
    await page.waitForSelector(row('berth', 'web-berth'));
    assert.equal(await page.$$eval('#container-table button, #bulk-stop', (b) => b.filter((x) => !(x as HTMLElement).closest('th')).length), 0, 'no action buttons');
    assert.equal(await page.$$eval('nav a', (links) => links.map((l) => l.textContent).join(',')), 'Containers,Hosts,Images,Networks,Volumes,Events,Compose,Registries', 'no Run and no Users');
    const id = ok(berthd.docker(['inspect', '-f', '{{.Id}}', 'web-berth']), 'inspect');
    // Forged: the viewer's own session and CSRF token, posting straight to the API.
    const status = await page.evaluate(async (containerId) => {
      const session = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch(`/api/hosts/berth/containers/${containerId}/stop`, { method: 'POST', headers: { 'X-CSRF-Token': session.csrf } });
      return res.status;
    }, id);
    assert.equal(status, 403);
    assert.equal(ok(berthd.docker(['inspect', '-f', '{{.State.Status}}', 'web-berth']), 'inspect'), 'running');
    // No terminal either: no button, and the upgrade is refused even with the viewer's CSRF token.
    await page.goto(`${url}/#/containers`);
    await page.click(`${row('berth', 'web-berth')} td.col-name a`);
    await page.waitForSelector('#logs-title');
    assert.equal(await page.$$eval('#terminal-open', (b) => b.length), 0, 'no terminal button');
    const viewerCsrf = await page.evaluate(async () => ((await (await fetch('/api/session')).json()) as { csrf: string }).csrf);
    assert.equal(await tryWebSocket(page, `/api/hosts/berth/containers/web-berth/exec?csrf=${viewerCsrf}`), 'refused');
    await page.screenshot({ path: join(SHOTS, 'containers-viewer.png'), fullPage: true });
    await context.close();
  });

  test('images, networks and volumes of both hosts; a new tag and a new volume show up without a reload', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    await page.click('nav >> text=Images');
    for (const host of ['berth', 'docker']) {
      await page.waitForSelector(`#image-table tbody tr[data-key^="${host}/sha256:"] td.col-tags >> text=bb:latest`);
    }
    // A tag made behind the dashboard's back shows up without a reload (the images view follows the engines' events too).
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    ok(berthd.docker(['tag', 'bb:latest', 'live-berth:1']), 'tag');
    ok(dockerd.docker(['tag', 'bb:latest', 'live-docker:1']), 'tag');
    for (const host of ['berth', 'docker']) {
      await page.waitForSelector(`#image-table tbody tr[data-key^="${host}/sha256:"] td.col-tags >> text=live-${host}:1`, { timeout: 30_000 });
    }
    assert.equal(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload), true, 'no page reload');
    await page.screenshot({ path: join(SHOTS, 'images.png'), fullPage: true });
    await page.click('nav >> text=Networks');
    for (const key of ['berth/none', 'berth/host', 'docker/none', 'docker/host']) await page.waitForSelector(`#network-table tbody tr[data-key="${key}"]`);
    await page.fill('#networks-filter', 'docker host');
    assert.deepEqual(await page.$$eval('#network-table tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.key)), ['docker/host']);
    await page.click('nav >> text=Volumes');
    await page.waitForSelector('#volume-table');
    ok(berthd.docker(['volume', 'create', 'vol-berth']), 'volume create');
    ok(dockerd.docker(['volume', 'create', 'vol-docker']), 'volume create');
    await page.waitForSelector('#volume-table tbody tr[data-key="berth/vol-berth"]');
    await page.waitForSelector('#volume-table tbody tr[data-key="docker/vol-docker"]');
    await page.screenshot({ path: join(SHOTS, 'volumes.png'), fullPage: true });
    await context.close();
  });

  test('usable on a phone: the containers view as cards, and every other view fits the width', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD, { width: 390, height: 844 });
    await page.waitForSelector(row('docker', 'web-docker'));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no horizontal scrolling (page is ${width}px wide)`);
    await page.screenshot({ path: join(SHOTS, 'containers-phone.png'), fullPage: true });
    // Every other view and a container's page fit the width too.
    const views = await page.$$eval('nav a', (links) => links.map((l) => l.textContent ?? ''));
    assert.ok(views.length >= 10, views.join(','));
    const overflowing: string[] = [];
    for (const view of [...views.filter((v) => v !== 'Containers'), 'a container']) {
      if (view === 'a container') {
        await page.goto(`${url}/#/containers`);
        await page.click(`${row('berth', 'ticker-berth')} td.col-name a`);
        await page.waitForFunction(() => Number(document.querySelector('#chart-cpu')?.getAttribute('data-points')) >= 2, undefined, { timeout: 30_000 });
      } else {
        await page.click(`nav a >> text="${view}"`);
        await page.waitForSelector('main h1');
      }
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      if (wide > 390) overflowing.push(`${view} (${wide}px)`);
    }
    await page.screenshot({ path: join(SHOTS, 'container-phone.png'), fullPage: true });
    assert.deepEqual(overflowing, [], 'views wider than the phone');
    await context.close();
  });

  test('restart, kill and remove from a row and the selection; health and published ports (as links) in the table; the hosts\' counts follow live', async () => {
    const { context, page } = await signIn('admin', ADMIN_PASSWORD);
    page.on('dialog', (d) => void d.accept());
    await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    const engines = [[berthd, 'berth'], [dockerd, 'docker']] as const;
    const running = (host: string) => page.textContent(`#host-table tbody tr[data-key="${host}"] td.col-running`);
    const waitRunning = (host: string, n: number) =>
      page.waitForFunction(([h, count]) => document.querySelector(`#host-table tbody tr[data-key="${h}"] td.col-running`)?.textContent === count, [host, String(n)] as const, { timeout: 30_000 });
    await page.click('nav >> text=Hosts');
    for (const [, host] of engines) await page.waitForSelector(`#host-table tbody tr[data-key="${host}"] td.col-status >> text="reachable"`);
    const before = { berth: Number(await running('berth')), docker: Number(await running('docker')) };

    // A healthy container on each host, made behind the dashboard's back; berthd's publishes a port (the rig's dockerd has no bridge).
    const port = await freePort();
    for (const [engine, host] of engines) {
      const network = host === 'berth' ? ['-p', `127.0.0.1:${port}:8080`] : ['--network', 'none'];
      ok(engine.docker(['run', '-d', '--name', `hc-${host}`, ...network, '--health-cmd', 'test -f /tmp/index.html', '--health-interval', '1s',
        'bb:latest', 'sh', '-c', `echo served by hc-${host} > /tmp/index.html && exec httpd -f -p 8080 -h /tmp`]), 'run');
    }
    for (const [, host] of engines) await waitRunning(host, before[host] + 1);
    await page.click('nav >> text=Containers');
    for (const [, host] of engines) await page.waitForSelector(`${row(host, `hc-${host}`)} td.col-health >> text="healthy"`, { timeout: 60_000 });
    const link = await page.getAttribute(`${row('berth', 'hc-berth')} a.port`, 'href');
    assert.equal(link, `http://127.0.0.1:${port}/`);
    assert.equal(await waitForValue('the linked port to answer', () => fetch(link!).then((r) => (r.ok ? r.text() : undefined), () => undefined)), 'served by hc-berth\n');
    await page.screenshot({ path: join(SHOTS, 'containers-health.png'), fullPage: true });

    // Restart from berthd's row: a new start time, running again.
    const startedAt = () => ok(berthd.docker(['inspect', '-f', '{{.State.StartedAt}}', 'hc-berth']), 'inspect');
    const started = startedAt();
    await page.click(`${row('berth', 'hc-berth')} button.restart`);
    await waitForValue('hc-berth to restart', async () => (startedAt() !== started ? true : undefined));
    await waitState(page, 'berth', 'hc-berth', 'running');
    // Kill from dockerd's row (after a confirmation): exited with SIGKILL's status.
    await page.click(`${row('docker', 'hc-docker')} button.kill`);
    await waitState(page, 'docker', 'hc-docker', 'exited');
    assert.equal(ok(dockerd.docker(['inspect', '-f', '{{.State.ExitCode}}', 'hc-docker']), 'inspect'), '137');
    // Remove both through the selection, one running and one not.
    await page.check(`${row('berth', 'hc-berth')} td.select input`);
    await page.check(`${row('docker', 'hc-docker')} td.select input`);
    await page.click('#bulk-remove');
    for (const [engine, host] of engines) {
      await page.waitForSelector(row(host, `hc-${host}`), { state: 'detached', timeout: 30_000 });
      assert.notEqual(engine.docker(['inspect', `hc-${host}`]).code, 0, `hc-${host} removed`);
    }
    await page.click('nav >> text=Hosts');
    for (const [, host] of engines) await waitRunning(host, before[host]);
    assert.equal(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload), true, 'no page reload');
    await context.close();
  });

  test('an operator acts on containers on both hosts but manages neither hosts nor users; demoted, refused at once; removed, signed out', async () => {
    await addUser('runner', 'operator password', 'operator');

    const { context, page } = await signIn('runner', 'operator password');
    assert.equal(await page.$$eval('nav a', (links) => links.map((l) => l.textContent).join(',')), 'Containers,Hosts,Images,Networks,Volumes,Events,Compose,Registries,Run', 'Run but no Users');
    // Pause and unpause rather than stop and start: sleep as PID 1 ignores SIGTERM, and each stop would wait out its timeout.
    for (const host of ['berth', 'docker']) {
      await page.click(`${row(host, `web-${host}`)} button.pause`);
      await waitState(page, host, `web-${host}`, 'paused');
      await page.click(`${row(host, `web-${host}`)} button.unpause`);
      await waitState(page, host, `web-${host}`, 'running');
    }
    await page.click('nav >> text=Hosts');
    await page.waitForSelector('#host-table tbody tr[data-key="berth"]');
    assert.equal(await page.$$eval('#add-host, #host-table button.danger', (x) => x.length), 0, 'no host form or remove buttons');
    const status = await page.evaluate(async () => {
      const { csrf } = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch('/api/hosts', { method: 'POST', headers: { 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'sneaky', host: 'unix:///sneaky.sock' }) });
      return res.status;
    });
    assert.equal(status, 403);
    assert.equal(await page.$('#host-table tbody tr[data-key="sneaky"]'), null);

    // The admin demotes the operator in the Users view: the page still open is refused at once; then removes the account: signed out.
    await page.click('nav >> text=Containers');
    const admin = await signIn('admin', ADMIN_PASSWORD);
    admin.page.on('dialog', (d) => void d.accept());
    await admin.page.click('nav >> text=Users');
    await admin.page.selectOption('#user-table tbody tr[data-key="runner"] select', 'viewer');
    await waitForNotice(admin.page, 'runner is now viewer', false);
    await page.click(`${row('berth', 'web-berth')} button.stop`);
    await waitForNotice(page, /^Stop failed for berth\/web-berth: .*operator/, true);
    assert.equal(ok(berthd.docker(['inspect', '-f', '{{.State.Status}}', 'web-berth']), 'inspect'), 'running');
    await admin.page.click('#user-table tbody tr[data-key="runner"] button.danger');
    await admin.page.waitForSelector('#user-table tbody tr[data-key="runner"]', { state: 'detached' });
    await admin.context.close();
    await page.click('nav >> text=Images');
    await page.waitForSelector('#login-form');
    await context.close();
  });

  test('a user changes their own password on the account page: the current one is checked, the old one stops working, other sessions end', async () => {
    await addUser('changer', 'first password', 'viewer');
    const other = await signIn('changer', 'first password');
    const { context, page } = await signIn('changer', 'first password');
    await page.click('#whoami');
    await page.waitForSelector('#account-title');
    const change = async (current: string, next: string, repeat = next) => {
      await page.fill('#password-form input[name=current]', current);
      await page.fill('#password-form input[name=password]', next);
      await page.fill('#password-form input[name=repeat]', repeat);
      await page.click('#password-form button[type=submit]');
    };
    await change('not my password', 'second password');
    await page.waitForSelector('#password-form .error >> text="the current password is wrong"');
    await change('first password', 'second password', 'second passwore');
    await page.waitForSelector('#password-form .error >> text="the new passwords differ"');
    await change('first password', 'second password');
    await waitForNotice(page, 'Password changed', false);
    const login = (password: string) => fetch(`${rig.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'changer', password }) });
    assert.equal((await login('first password')).status, 401);
    assert.equal((await login('second password')).status, 200);
    // This page goes on with its new session (and CSRF token); the other one was signed out.
    await page.click('nav >> text=Hosts');
    await page.waitForSelector('#host-table tbody tr');
    await other.page.reload();
    await other.page.waitForSelector('#login-form');
    await Promise.all([context.close(), other.context.close()]);
  });

  test('BERTH_DASHBOARD_ADMIN_PASSWORD: the first admin\'s password from the environment; one shorter than 8 characters is refused at start; failed logins are throttled', async () => {
    await assert.rejects(serveDashboard(['--addr', '127.0.0.1:0', '--data', join(dir, 'env-short')], { BERTH_DASHBOARD_ADMIN_PASSWORD: 'seven77' }),
      /exited with 1: berth dashboard: password must be at least 8 characters/);
    const served = await serveDashboard(['--addr', '127.0.0.1:0', '--data', join(dir, 'env-admin')], { BERTH_DASHBOARD_ADMIN_PASSWORD: 'from the environment' });
    try {
      const login = (password: string) => fetch(`${served.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      assert.deepEqual(await (await fetch(`${served.url}/api/session`)).json(), { message: 'not signed in', setup: false }, 'no first-visit setup');
      // Login throttling of the real process: wrong passwords soon get 429 with Retry-After (each wait doubles, so a slow
      // machine meets one too); the right password gets in once the wait is over.
      let throttled: Response | undefined;
      for (let i = 0; i < 12 && !throttled; i++) {
        const res = await login(`wrong ${i}`);
        if (res.status === 429) throttled = res;
        else assert.equal(res.status, 401);
      }
      assert.ok(throttled, 'throttled after a few failures');
      assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
      assert.equal(((await throttled.json()) as { message: string }).message, 'too many failed logins: try again later');
      await waitForValue('the right password to get in after the wait', async () => {
        const res = await login('from the environment');
        if (res.status === 429) return undefined;
        return res.status;
      }, 120_000).then((status) => assert.equal(status, 200));
    } finally {
      await stopDashboard(served.child);
    }
  });

  test('served over HTTPS (--tls-cert, --tls-key) with no admin password given: the first visit sets it, and the session cookie is Secure', async () => {
    const certs = rig.certs!;
    const served = await serveDashboard(['--addr', '127.0.0.1:0', '--data', join(dir, 'first-run'), '--tls-cert', certs.serverCert, '--tls-key', certs.serverKey]);
    try {
      assert.match(served.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      // The certificate is signed by the rig's CA, which Chromium does not know.
      const context = await rig.browser!.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      await page.goto(`${served.url}/`);
      await page.waitForSelector('#login-form >> text=/^First run: choose the password of the administrator account/');
      await page.screenshot({ path: join(SHOTS, 'first-run.png') });
      await page.fill('#login-form input[name=password]', 'first admin pw');
      await page.fill('#login-form input[name=confirm]', 'not the same');
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#login-error >> text="The passwords differ."');
      await page.fill('#login-form input[name=confirm]', 'first admin pw');
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#whoami >> text="admin"');
      const cookie = (await context.cookies()).find((c) => c.name === 'berth_session');
      assert.ok(cookie?.secure && cookie.httpOnly && cookie.sameSite === 'Strict', JSON.stringify(cookie));
      await context.close();
      // The admin exists now: another browser is asked to sign in, and can with that password.
      const other = await rig.browser!.newContext({ ignoreHTTPSErrors: true });
      const again = await other.newPage();
      await again.goto(`${served.url}/`);
      await again.waitForSelector('#login-form button[type=submit] >> text="Sign in"');
      assert.equal(await again.$('#login-form input[name=confirm]'), null, 'no setup');
      await again.fill('#login-form input[name=password]', 'first admin pw');
      await again.click('#login-form button[type=submit]');
      await again.waitForSelector('#whoami >> text="admin"');
      await other.close();
    } finally {
      await stopDashboard(served.child);
    }
  });
});

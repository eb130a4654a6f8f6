/**
 * berthd -b none side by side with dockerd -b none (the harness's reference
 * dockerd runs so): no "bridge" network at all, containers meant for it run
 * with loopback only, user-defined bridges still work, and no Linux bridge
 * called "none" is ever made, also across a restart. Then a berthd that had
 * its own default bridge restarted with -b none: the network and its Linux
 * bridge go, its containers keep the network by name only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, clearContainersAndNetworks, dockerdSkipReason, onEachTarget, ReferenceDockerd, TestDaemon, type RunResult } from './harness.js';
import { apiOn } from './raw-api.js';

interface Target {
  name: string;
  docker(args: string[]): RunResult;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
}


function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The interfaces inside a running container, from its /proc/net/dev. */
function interfaces(t: { docker(args: string[]): RunResult }, container: string): string[] {
  const lines = ok(t.docker(['exec', container, 'cat', '/proc/net/dev']), `${container} /proc/net/dev`).split('\n').slice(2);
  return lines.map((l) => l.split(':')[0]!.trim()).sort();
}

async function networkNames(t: Target): Promise<string[]> {
  return (JSON.parse((await t.api('GET', '/networks')).body) as { Name: string }[]).map((n) => n.Name).sort();
}

interface Inspect {
  Id: string;
  Config: { NetworkDisabled?: boolean };
  HostConfig: { NetworkMode: string };
  HostsPath: string;
  ResolvConfPath: string;
  NetworkSettings: { SandboxID: string; SandboxKey: string; Networks: Record<string, { NetworkID: string; IPAddress: string; Links: unknown; Aliases: unknown }> };
}

async function inspect(t: Target, name: string): Promise<Inspect> {
  const r = await t.api('GET', `/containers/${name}/json`);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Inspect;
}

/** The index of a host link, or undefined when there is none of that name. */
function linkIndex(name: string): string | undefined {
  const r = spawnSync('ip', ['-o', 'link', 'show', 'dev', name], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(':')[0] : undefined;
}

/**
 * berthd made no Linux bridge called "none": no network record of its own has
 * that device, and the host's "none" link is the one there was before (another
 * berthd on this shared host may have one; ours must not make or replace it).
 */
function noNoneBridge(daemon: TestDaemon, before: string | undefined): void {
  const dir = join(daemon.dataRoot, 'network', 'networks');
  for (const file of readdirSync(dir)) assert.doesNotMatch(readFileSync(join(dir, file), 'utf8'), /"device":"none"/, file);
  assert.equal(linkIndex('none'), before, 'a link called "none" was made on the host');
}

describe('berthd -b none, side by side with dockerd -b none', { skip: dockerdSkipReason() }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  let targets: Target[] = [];
  const noneBefore = linkIndex('none');

  before(async () => {
    [berthd, dockerd] = await Promise.all([TestDaemon.start(['--bridge', 'none']), ReferenceDockerd.start()]);
    targets = [
      { name: 'berthd', docker: (a) => berthd.docker(a), api: apiOn(berthd.socket) },
      { name: 'dockerd', docker: (a) => dockerd.docker(a), api: apiOn(join(dockerd.dir, 'docker.sock')) },
    ];
    const tar = await busyboxRootfs();
    for (const t of targets) ok(t.docker(['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest']), `${t.name} import`);
  });
  after(async () => {
    for (const t of targets) clearContainersAndNetworks(t.docker);
    await Promise.all([berthd?.stop(), dockerd?.stop()]);
  });

  test('there is no bridge network: network ls shows host and none, inspect of bridge is not found', async () => {
    noNoneBridge(berthd, noneBefore);
    await onEachTarget(targets, async (t) => {
      assert.deepEqual(await networkNames(t), ['host', 'none']);
      const r = await t.api('GET', '/networks/bridge');
      assert.deepEqual([r.status, JSON.parse(r.body)], [404, { message: 'network bridge not found' }]);
    });
  });

  test('a container without a network is "default" with an empty bridge entry, and has only lo', async () => {
    await onEachTarget(targets, async (t) => {
      const created = await t.api('POST', '/containers/create?name=plain', { Image: 'busybox', Cmd: ['sleep', '300'], HostConfig: { NetworkMode: '' } });
      assert.equal(created.status, 201, created.body);
      const before = await inspect(t, 'plain');
      assert.equal(before.HostConfig.NetworkMode, 'default');
      assert.deepEqual(Object.keys(before.NetworkSettings.Networks), ['bridge']);
      assert.deepEqual([before.NetworkSettings.Networks.bridge!.NetworkID, before.NetworkSettings.Networks.bridge!.Links, before.Config.NetworkDisabled], ['', null, undefined]);
      ok(t.docker(['start', 'plain']), 'start');
      assert.deepEqual(interfaces(t, 'plain'), ['lo']);
      const running = await inspect(t, 'plain');
      assert.deepEqual([running.NetworkSettings.Networks.bridge!.NetworkID, running.NetworkSettings.Networks.bridge!.IPAddress], ['', '']);
      // dockerd marks the container at start: the network it was meant for does not exist.
      assert.equal(running.Config.NetworkDisabled, true);
      // It has a sandbox all the same (a netns with lo), whose ID and key stay shown after a stop.
      const sandbox = [running.NetworkSettings.SandboxID, running.NetworkSettings.SandboxKey];
      assert.match(sandbox[0]!, /^[0-9a-f]{64}$/);
      assert.match(sandbox[1]!, /\/netns\/[\w-]+$/);
      assert.deepEqual([before.NetworkSettings.SandboxID, before.NetworkSettings.SandboxKey], ['', '']);
      ok(t.docker(['stop', '-t', '0', 'plain']), 'stop');
      const stopped = (await inspect(t, 'plain')).NetworkSettings;
      assert.deepEqual([stopped.SandboxID, stopped.SandboxKey], sandbox);
      ok(t.docker(['start', 'plain']), 'start again');
      const again = (await inspect(t, 'plain')).NetworkSettings;
      assert.deepEqual([again.SandboxID, again.SandboxKey], sandbox, 'a new start shows the same sandbox ID and key');
      // The CLI's run without --network: the same.
      ok(t.docker(['run', '-d', '--name', 'cli-plain', 'busybox', 'sleep', '300']), 'run');
      assert.deepEqual(interfaces(t, 'cli-plain'), ['lo']);
    });
  });

  test('a client\'s NetworkDisabled: no endpoint and no sandbox, lo only, empty hosts and resolv.conf', async () => {
    await onEachTarget(targets, async (t) => {
      for (const mode of ['', 'none']) {
        const name = `disabled${mode}`;
        const created = await t.api('POST', `/containers/create?name=${name}`, { Image: 'busybox', Cmd: ['sleep', '300'], NetworkDisabled: true, HostConfig: { NetworkMode: mode } });
        assert.equal(created.status, 201, created.body);
        ok(t.docker(['start', name]), 'start');
        const c = await inspect(t, name);
        assert.deepEqual(
          [c.Config.NetworkDisabled, c.NetworkSettings.Networks, c.NetworkSettings.SandboxID, c.NetworkSettings.SandboxKey, c.HostsPath, c.ResolvConfPath],
          [true, {}, '', '', '', ''],
          name,
        );
        assert.deepEqual(interfaces(t, name), ['lo']);
        assert.equal(ok(t.docker(['exec', name, 'sh', '-c', 'stat -c %a:%s /etc/hosts /etc/resolv.conf; hostname']), 'etc files'), `755:0\n755:0\n${c.Id.slice(0, 12)}`);
        const listed = JSON.parse((await t.api('GET', `/containers/json?filters=${encodeURIComponent(JSON.stringify({ name: [name] }))}`)).body) as { NetworkSettings: unknown }[];
        assert.deepEqual(listed[0]!.NetworkSettings, { Networks: {} });
        const none = JSON.parse((await t.api('GET', '/networks/none')).body) as { Containers: Record<string, unknown> };
        assert.ok(!(c.Id in none.Containers), 'a disabled container is no endpoint of the none network');
      }
    });
  });

  test('--network bridge is accepted and gives loopback only, as dockerd does', async () => {
    await onEachTarget(targets, async (t) => {
      ok(t.docker(['run', '-d', '--name', 'on-bridge', '--network', 'bridge', 'busybox', 'sleep', '300']), 'run --network bridge');
      assert.deepEqual(interfaces(t, 'on-bridge'), ['lo']);
      assert.equal((await inspect(t, 'on-bridge')).HostConfig.NetworkMode, 'bridge');
    });
  });

  test('network connect bridge leaves a running container as it is; disconnect does not find the network', async () => {
    await onEachTarget(targets, async (t) => {
      const connect = await t.api('POST', '/networks/bridge/connect', { Container: 'plain' });
      assert.equal(connect.status, 200, connect.body);
      assert.deepEqual(interfaces(t, 'plain'), ['lo']);
      const disconnect = await t.api('POST', '/networks/bridge/disconnect', { Container: 'plain' });
      assert.deepEqual([disconnect.status, JSON.parse(disconnect.body)], [404, { message: 'network bridge not found' }]);
      // A stopped container: the entry goes by name.
      ok(t.docker(['create', '--name', 'stopped', 'busybox']), 'create');
      const off = await t.api('POST', '/networks/bridge/disconnect', { Container: 'stopped' });
      assert.equal(off.status, 200, off.body);
      assert.deepEqual((await inspect(t, 'stopped')).NetworkSettings.Networks, {});
    });
  });

  test('user-defined bridge networks still work', async () => {
    const subnets: Record<string, string> = { berthd: '10.213.1.0/24', dockerd: '10.213.2.0/24' };
    await onEachTarget(targets, async (t) => {
      ok(t.docker(['network', 'create', '--subnet', subnets[t.name]!, 'usernet']), 'network create');
      ok(t.docker(['run', '-d', '--name', 'on-user', '--network', 'usernet', 'busybox', 'sleep', '300']), 'run --network usernet');
      assert.deepEqual(interfaces(t, 'on-user'), ['eth0', 'lo']);
      const settings = (await inspect(t, 'on-user')).NetworkSettings.Networks.usernet!;
      assert.match(settings.IPAddress, /^10\.213\.\d\.2$/);
      assert.deepEqual(await networkNames(t), ['host', 'none', 'usernet']);
    });
  });

  test('a berthd restart with -b none makes no bridge and keeps its containers running on loopback', async () => {
    await berthd.kill();
    noNoneBridge(berthd, noneBefore);
    await berthd.launch(['--bridge', 'none']);
    noNoneBridge(berthd, noneBefore);
    const t = targets[0]!;
    assert.deepEqual(await networkNames(t), ['host', 'none', 'usernet']);
    ok(t.docker(['restart', '-t', '0', 'plain']), 'restart');
    assert.deepEqual(interfaces(t, 'plain'), ['lo']);
  });
});

describe('berthd restarted from its own default bridge to -b none', () => {
  let berthd: TestDaemon;
  const noneBefore = linkIndex('none');

  before(async () => {
    berthd = await TestDaemon.start();
    ok(berthd.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']), 'import');
  });
  after(async () => {
    await berthd?.stop();
  });

  test('the bridge network and its Linux bridge go; a container made for it starts with loopback only', async () => {
    ok(berthd.docker(['create', '--name', 'was-bridged', 'busybox', 'sleep', '300']), 'create');
    assert.ok(linkIndex(berthd.bridge), 'the test daemon has its own bridge');
    await berthd.kill();
    await berthd.launch(['--bridge', 'none']);
    noNoneBridge(berthd, noneBefore);
    assert.equal(linkIndex(berthd.bridge), undefined, `${berthd.bridge} is left behind`);
    const api = apiOn(berthd.socket);
    assert.deepEqual(await networkNames({ name: 'berthd', docker: (a) => berthd.docker(a), api }), ['host', 'none']);
    ok(berthd.docker(['start', 'was-bridged']), 'start');
    assert.deepEqual(interfaces(berthd, 'was-bridged'), ['lo']);
    const settings = (JSON.parse((await api('GET', '/containers/was-bridged/json')).body) as Inspect).NetworkSettings.Networks;
    assert.deepEqual(Object.keys(settings), ['bridge']);
    assert.equal(settings.bridge!.NetworkID, '');
  });
});

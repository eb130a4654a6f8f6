/**
 * What inspect, ps, logs, stats, update, rm, commit, export and info answer,
 * in dockerd 20.10's shapes (issue 13, section 5). Each check runs against a
 * private berthd and, when Debian's dockerd is installed, against a private
 * dockerd too, so that the expectations written here stay dockerd's.
 * Needs root and the docker CLI.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DOCKER_CLI, ReferenceDockerd, TestDaemon, busyboxRootfs, dockerdSkipReason, run, type RunResult, onEachTarget, waitForValue } from './harness.js';
import { rawRequest, type RawReply } from './raw-api.js';

type Reply = RawReply;

/** One daemon under test, seen through the raw API and the docker CLI. */
interface Target {
  name: string;
  api(method: string, path: string, body?: unknown): Promise<Reply>;
  docker(...args: string[]): RunResult;
}

const apiOn = rawRequest;

const json = <T = Record<string, unknown>>(r: Reply): T => JSON.parse(r.body) as T;

function ok(r: RunResult, what = 'docker'): string {
  assert.equal(r.code, 0, `${what}: ${r.stderr}`);
  return r.stdout.trim();
}


/** dockerd 20.10's masked and read-only paths (berth masks these and a few more, as newer dockerd does). */
const DOCKERD_MASKED = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'];
const DOCKERD_READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

describe('inspect and friends answer as dockerd 20.10', { skip: DOCKER_CLI ? undefined : 'docker CLI not installed' }, () => {
  const targets: Target[] = [];
  let berthd: TestDaemon | undefined;
  let dockerd: ReferenceDockerd | undefined;

  before(async () => {
    berthd = await TestDaemon.start();
    const b = berthd;
    targets.push({ name: 'berthd', api: (m, p, body) => apiOn(b.socket, m, p, body), docker: (...args) => b.docker(args) });
    if (!dockerdSkipReason()) {
      dockerd = await ReferenceDockerd.start();
      const d = dockerd;
      targets.push({ name: 'dockerd', api: (m, p, body) => apiOn(d.host.slice('unix://'.length), m, p, body), docker: (...args) => d.docker(args) });
    }
    for (const t of targets) ok(t.docker('import', await busyboxRootfs(), 'busybox:latest'), `${t.name} import`);
  });

  after(async () => {
    for (const t of targets) {
      const ids = t.docker('ps', '-aq').stdout.split('\n').filter(Boolean);
      if (ids.length) t.docker('rm', '-f', ...ids);
      for (const n of t.docker('network', 'ls', '-q', '--filter', 'type=custom').stdout.split('\n').filter(Boolean)) t.docker('network', 'rm', n);
    }
    await berthd?.stop();
    await dockerd?.stop();
  });

  const each = (check: (t: Target) => Promise<void>) => onEachTarget(targets, check);


  async function inspect(t: Target, ref: string, version = 'v1.41'): Promise<Record<string, any>> {
    const r = await t.api('GET', `/${version}/containers/${ref}/json`);
    assert.equal(r.status, 200, r.body);
    return json(r);
  }

  async function create(t: Target, name: string, body: Record<string, unknown>, version = 'v1.41'): Promise<Reply> {
    return t.api('POST', `/${version}/containers/create?name=${name}`, { Image: 'busybox', ...body });
  }

  test('create fills the HostConfig defaults dockerd writes, and keeps the rest as sent', async () => {
    await each(async (t) => {
      assert.equal((await create(t, 'defaults1', { Cmd: ['true'] })).status, 201);
      const h = (await inspect(t, 'defaults1')).HostConfig;
      assert.equal(h.IpcMode, 'private');
      assert.equal(h.ShmSize, 67108864);
      assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: {} });
      for (const path of DOCKERD_MASKED) assert.ok(h.MaskedPaths.includes(path), `${path} masked`);
      assert.deepEqual(h.ReadonlyPaths, DOCKERD_READONLY);
      for (const key of ['Dns', 'DnsOptions', 'DnsSearch', 'PortBindings', 'Links', 'PidsLimit', 'MemorySwappiness', 'Devices']) assert.equal(h[key], null, key);
      assert.deepEqual(h.RestartPolicy, { Name: '', MaximumRetryCount: 0 });

      // Clients before API 1.40 that send a HostConfig get "shareable"; a privileged container has no masked paths.
      assert.equal((await create(t, 'defaults2', { Cmd: ['true'], HostConfig: { Privileged: true, Dns: [] } }, 'v1.39')).status, 201);
      const old = (await inspect(t, 'defaults2', 'v1.39')).HostConfig;
      assert.equal(old.IpcMode, 'shareable');
      assert.equal(old.MaskedPaths, null);
      assert.deepEqual(old.Dns, []);

      // The CLI's zeros: pids limit 0 and swappiness -1 are "unset"; log options are echoed as given.
      ok(t.docker('create', '--name', 'defaults3', '--log-opt', 'max-size=1m', '--health-cmd', 'true', 'busybox', 'true'));
      const cli = await inspect(t, 'defaults3');
      assert.deepEqual(cli.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
      assert.equal(cli.HostConfig.PidsLimit, null);
      assert.equal(cli.HostConfig.MemorySwappiness, null);
      assert.deepEqual(cli.Config.Healthcheck, { Test: ['CMD-SHELL', 'true'] });
      assert.equal(cli.Config.Env, null);
      assert.ok(!('ExposedPorts' in cli.Config));
      for (const key of ['AttachStdin', 'Tty', 'OpenStdin', 'StdinOnce']) assert.equal(cli.Config[key], false, key);
    });
  });

  test('links: HostConfig.Links normalised, and ps lists the link aliases among the Names', async () => {
    await each(async (t) => {
      ok(t.docker('create', '--name', 'lnk-a', 'busybox', 'true'));
      ok(t.docker('create', '--name', 'lnk-b', '--link', 'lnk-a', '--link', 'lnk-a:other', 'busybox', 'true'));
      assert.deepEqual([...(await inspect(t, 'lnk-b')).HostConfig.Links].sort(), ['/lnk-a:/lnk-b/lnk-a', '/lnk-a:/lnk-b/other']);
      const list = json<{ Names: string[] }[]>(await t.api('GET', '/v1.41/containers/json?all=1&filters=%7B%22name%22%3A%5B%22lnk-a%22%5D%7D'));
      const a = list.find((c) => c.Names.includes('/lnk-a'));
      assert.deepEqual([...a!.Names].sort(), ['/lnk-a', '/lnk-b/lnk-a', '/lnk-b/other']);
    });
  });

  test('logging drivers: none keeps no logs, local keeps readable ones, unknown ones and bad options fail as in dockerd', async () => {
    await each(async (t) => {
      ok(t.docker('run', '--name', 'log-none', '--log-driver', 'none', 'busybox', 'echo', 'hi'));
      const none = await t.api('GET', '/v1.41/containers/log-none/logs?stdout=1');
      assert.equal(none.status, 501);
      assert.equal(json(none).message, 'configured logging driver does not support reading');
      assert.equal((await inspect(t, 'log-none')).LogPath, '');

      ok(t.docker('run', '--name', 'log-local', '--log-driver', 'local', 'busybox', 'echo', 'kept'));
      assert.equal(ok(t.docker('logs', 'log-local')), 'kept');
      assert.deepEqual((await inspect(t, 'log-local')).HostConfig.LogConfig, { Type: 'local', Config: {} });

      const unknown = await create(t, 'log-foo', { Cmd: ['true'], HostConfig: { LogConfig: { Type: 'foo', Config: {} } } });
      assert.equal(unknown.status, 400);
      assert.equal(json(unknown).message, 'error looking up logging plugin foo: plugin "foo" not found');
      const opt = await create(t, 'log-opt', { Cmd: ['true'], HostConfig: { LogConfig: { Type: 'local', Config: { foo: '1' } } } });
      assert.equal(opt.status, 400);
      assert.equal(json(opt).message, "unknown log opt 'foo' for log driver local");

      // A bad value is the driver's to find, at start: the container stays "created" with the error.
      assert.equal((await create(t, 'log-size', { Cmd: ['true'], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': 'x' } } } })).status, 201);
      const start = await t.api('POST', '/v1.41/containers/log-size/start');
      assert.equal(start.status, 500);
      assert.equal(json(start).message, "failed to initialize logging driver: invalid size: 'x'");
      const state = (await inspect(t, 'log-size')).State;
      assert.equal(state.Status, 'created');
      assert.equal(state.ExitCode, 128);
    });
  });

  test('a container to be restarted goes straight to "restarting", and rm without force refuses it', async () => {
    await each(async (t) => {
      ok(t.docker('run', '-d', '--name', 'restarter', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 3'));
      const seen = new Set<string>();
      // Restart delays double from 100 ms: after 4 restarts the container waits 1.6 s or more each time.
      await waitForValue('four restarts', async () => {
        const c = await inspect(t, 'restarter');
        seen.add(c.State.Status);
        return c.RestartCount >= 4 ? true : undefined;
      });
      assert.ok(!seen.has('exited'), `statuses seen: ${[...seen].join(', ')}`);
      const restarting = await waitForValue('restarting', async () => ((await inspect(t, 'restarter')).State.Status === 'restarting' ? true : undefined));
      assert.ok(restarting);
      const id = (await inspect(t, 'restarter')).Id;
      const refused = await t.api('DELETE', '/v1.41/containers/restarter');
      assert.equal(refused.status, 409);
      assert.match(json(refused).message as string, new RegExp(`^You cannot remove a (restarting|running) container ${id}\\. Stop the container before attempting removal or force remove$`));
      assert.equal((await t.api('DELETE', '/v1.41/containers/restarter?force=1')).status, 204);
    });
  });

  test('update of PidsLimit: absent keeps it, 0 and -1 lift it', async () => {
    await each(async (t) => {
      // Limits well above what runc's exec needs for its own threads.
      ok(t.docker('run', '-d', '--name', 'pids', '--pids-limit', '50', 'busybox', 'sleep', '300'));
      const limit = () => ok(t.docker('exec', 'pids', 'sh', '-c', 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'));
      const steps: [unknown, number, string][] = [
        [{ Memory: 0 }, 50, '50'], [{ PidsLimit: 0 }, 0, 'max'], [{ PidsLimit: 70 }, 70, '70'], [{ PidsLimit: -1 }, 0, 'max'], [{ PidsLimit: 70 }, 70, '70'], [{}, 70, '70'],
      ];
      for (const [body, shown, applied] of steps) {
        assert.equal((await t.api('POST', '/v1.41/containers/pids/update', body)).status, 200);
        assert.equal((await inspect(t, 'pids')).HostConfig.PidsLimit, shown, JSON.stringify(body));
        assert.equal(limit(), applied, JSON.stringify(body));
      }
      ok(t.docker('rm', '-f', 'pids'));
    });
  });

  test('stats has the networks section for a container with a network of its own', async () => {
    await each(async (t) => {
      ok(t.docker('network', 'create', 'statsnet'));
      ok(t.docker('run', '-d', '--name', 'stats-net', '--network', 'statsnet', 'busybox', 'sleep', '300'));
      ok(t.docker('run', '-d', '--name', 'stats-none', '--network', 'none', 'busybox', 'sleep', '300'));
      const stats = json<Record<string, any>>(await t.api('GET', '/v1.41/containers/stats-net/stats?stream=0'));
      assert.deepEqual(Object.keys(stats.networks), ['eth0']);
      assert.deepEqual(Object.keys(stats.networks.eth0).sort(), ['rx_bytes', 'rx_dropped', 'rx_errors', 'rx_packets', 'tx_bytes', 'tx_dropped', 'tx_errors', 'tx_packets']);
      const none = json<Record<string, any>>(await t.api('GET', '/v1.41/containers/stats-none/stats?stream=0'));
      assert.ok(!('networks' in none));
      ok(t.docker('rm', '-f', 'stats-net', 'stats-none'));
      ok(t.docker('network', 'rm', 'statsnet'));
    });
  });

  test('networks: names may start with "_", the short ID is not aliased twice, a MacAddress survives a reconnect', async () => {
    await each(async (t) => {
      ok(t.docker('network', 'create', '_under'));
      ok(t.docker('network', 'create', 'macnet'));
      const created = await create(t, 'macc', { Cmd: ['sleep', '300'], MacAddress: '02:42:ac:1f:00:99', HostConfig: { NetworkMode: 'macnet' } });
      assert.equal(created.status, 201, created.body);
      ok(t.docker('start', 'macc'));
      ok(t.docker('network', 'disconnect', 'macnet', 'macc'));
      ok(t.docker('network', 'connect', 'macnet', 'macc'));
      const c = await inspect(t, 'macc');
      assert.equal(c.NetworkSettings.Networks.macnet.MacAddress, '02:42:ac:1f:00:99');
      const short = (c.Id as string).slice(0, 12);
      ok(t.docker('network', 'connect', '--alias', short, '--alias', 'x1', '_under', 'macc'));
      assert.deepEqual([...(await inspect(t, 'macc')).NetworkSettings.Networks._under.Aliases].sort(), [short, 'x1'].sort());
      ok(t.docker('rm', '-f', 'macc'));
      ok(t.docker('network', 'rm', '_under', 'macnet'));
    });
  });

  // Better than dockerd 20.10, which used ConsoleSize for execs only and left a container's tty at 0x0 until the
  // client's resize after start (a race the first instruction could lose); dockerd 23+ (API 1.42) does as berthd.
  test('a tty container has the ConsoleSize of its create from its first instruction, before any resize', async () => {
    const t = targets.find((x) => x.name === 'berthd')!;
    const created = json<{ Id: string }>(await t.api('POST', '/v1.45/containers/create?name=sized', {
      Image: 'busybox', Cmd: ['stty', 'size'], Tty: true, HostConfig: { ConsoleSize: [40, 90], NetworkMode: 'none' },
    }));
    assert.equal((await t.api('POST', `/v1.45/containers/${created.Id}/start`)).status, 204);
    assert.equal(json<{ StatusCode: number }>(await t.api('POST', `/v1.45/containers/${created.Id}/wait`)).StatusCode, 0);
    assert.equal((await t.api('GET', `/v1.45/containers/${created.Id}/logs?stdout=1`)).body.trim(), '40 90');
    ok(t.docker('rm', 'sized'));
  });

  test('commit --change expands variables from the container config Env', async () => {
    await each(async (t) => {
      ok(t.docker('run', '-e', 'PATH=/bin:/usr/bin', '--name', 'committed', 'busybox', 'true'));
      ok(t.docker('commit', '--change', 'ENV PATH=/x:$PATH', '--change', 'ENV B="$PATH y"', '--change', 'LABEL l="$B"', 'committed', 'committed:1'));
      const image = json<Record<string, any>>(await t.api('GET', '/v1.41/images/committed:1/json'));
      assert.deepEqual(image.Config.Env, ['PATH=/x:/bin:/usr/bin', 'B=/x:/bin:/usr/bin y']);
      assert.deepEqual(image.Config.Labels, { l: '/x:/bin:/usr/bin y' });
      ok(t.docker('rm', 'committed'));
    });
  });

  test('export of a container that exits while the tar streams is complete', async () => {
    await each(async (t) => {
      ok(t.docker('run', '-d', '--name', 'exporting', 'busybox', 'sh', '-c', 'head -c 20000000 /dev/zero > /big; touch /ready; read x'));
      await waitForValue('/ready', async () => ((await t.api('HEAD', '/v1.41/containers/exporting/archive?path=/ready')).status === 200 ? true : undefined));
      const socket = t.name === 'berthd' ? berthd!.socket : dockerd!.host.slice('unix://'.length);
      const tar = await new Promise<Buffer>((resolve, reject) => {
        const req = request({ socketPath: socket, method: 'GET', path: '/v1.41/containers/exporting/export', agent: false }, (res) => {
          const chunks: Buffer[] = [];
          let stopped = false;
          res.on('data', (d: Buffer) => {
            chunks.push(d);
            if (stopped) return;
            stopped = true;
            // Stop reading until the container has exited (its rootfs unmounted, were it not held).
            res.pause();
            void t.api('POST', '/v1.41/containers/exporting/kill').then(() => t.api('POST', '/v1.41/containers/exporting/wait')).then(() => res.resume(), reject);
          });
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      assert.equal((await inspect(t, 'exporting')).State.Running, false);
      const listing = ok(run('tar', ['-tvf', '-'], tar));
      assert.match(listing, /\s20000000\s.*\sbig$/m);
      assert.match(listing, /\sready$/m);
      ok(t.docker('rm', 'exporting'));
    });
  });

  test('info reports Expected beside each commit ID', async () => {
    await each(async (t) => {
      const info = json<Record<string, any>>(await t.api('GET', '/v1.41/info'));
      for (const key of ['RuncCommit', 'ContainerdCommit', 'InitCommit']) assert.equal(info[key].Expected, info[key].ID, key);
    });
  });

  test('image inspect keeps ContainerConfig at every API version (docker-compose 1.29 reads it)', async () => {
    const r = await berthd!.api('GET', '/v1.45/images/busybox/json');
    const image = JSON.parse(r.body) as Record<string, any>;
    assert.ok(image.ContainerConfig && typeof image.ContainerConfig === 'object');
    assert.equal(image.ContainerConfig.Hostname, '');
  });
});

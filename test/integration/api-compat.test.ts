/**
 * Raw Engine API requests as clients and fuzzers send them (endpoints berthd
 * does not implement, malformed and wrong-typed JSON bodies, out-of-range
 * query values), sent to a test berthd and, where /usr/sbin/dockerd is
 * present, the same requests to a private dockerd 20.10: status and message
 * are compared. Where berthd answers better than dockerd on purpose (a 400
 * where dockerd says 500 for the client's own mistake, a 501 for plugins),
 * the case says so and only the message is compared.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, TestDaemon } from './harness.js';
import { TestRegistry } from './registry-harness.js';
import { pushRawImage, tarOf } from './distribution-helpers.js';

interface Answer {
  status: number;
  body: string;
  message: string;
}

/** One raw request on a unix socket; an empty or absent body is sent as no body at all. */
function api(socket: string, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, method, path, headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let message = '';
        try {
          message = (JSON.parse(text) as { message?: string }).message ?? '';
        } catch {
          // not an error body
        }
        resolve({ status: res.statusCode ?? 0, body: text, message });
      });
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}

interface Case {
  method: string;
  path: string;
  body?: string;
  status: number;
  /** The message berthd gives (exact); dockerd's must be the same unless `dockerdStatus` is set and `message` differs on purpose. */
  message?: string | RegExp;
  /** dockerd 20.10's status where berthd answers differently on purpose (berthd's is `status`). */
  dockerdStatus?: number;
  /** dockerd's message differs (berthd's plugin 501s): only berthd's is checked. */
  berthOnly?: boolean;
  headers?: Record<string, string>;
}

const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
const filters = (value: object) => encodeURIComponent(JSON.stringify(value));

/** Endpoints berthd did not have: plugins and swarm answer as a dockerd with no plugins and no swarm. */
const ENDPOINT_CASES: Case[] = [
  { method: 'GET', path: '/plugins', status: 200 },
  { method: 'GET', path: `/plugins?filters=${filters({ capability: ['volumedriver'] })}`, status: 200 },
  { method: 'GET', path: `/plugins?filters=${filters({ foo: ['x'] })}`, status: 400, message: "Invalid filter 'foo'" },
  { method: 'GET', path: `/plugins?filters=${filters({ enabled: ['x'] })}`, status: 400, message: "Invalid filter 'enabled=[x]'" },
  { method: 'GET', path: '/plugins/foo/json', status: 404, message: 'plugin "foo" not found' },
  { method: 'POST', path: '/plugins/pull?remote=foo', body: '[]', status: 501, message: /plugins are not supported by berthd/, berthOnly: true },
  { method: 'POST', path: '/plugins/foo/enable', status: 501, message: /plugins are not supported by berthd/, berthOnly: true },
  { method: 'DELETE', path: '/plugins/foo', status: 501, message: /plugins are not supported by berthd/, berthOnly: true },
  ...['/swarm', '/swarm/unlockkey', '/nodes', '/nodes/x', '/services', '/services/x', '/tasks', '/tasks/x', '/secrets', '/secrets/x', '/configs', '/configs/x']
    .map((path): Case => ({ method: 'GET', path, status: 503, message: NOT_MANAGER })),
  { method: 'DELETE', path: '/services/x', status: 503, message: NOT_MANAGER },
  { method: 'POST', path: '/swarm/leave', status: 503, message: 'This node is not part of a swarm' },
  { method: 'POST', path: '/swarm/leave?force=1', status: 503, message: 'This node is not part of a swarm' },
  { method: 'POST', path: '/swarm/unlock', status: 400, message: 'got EOF while reading request body' },
  { method: 'POST', path: '/swarm/unlock', body: '{}', status: 503, message: NOT_MANAGER },
  { method: 'POST', path: '/swarm/update?version=1', body: '{}', status: 503, message: NOT_MANAGER },
  { method: 'POST', path: '/swarm/update', body: '{}', status: 400, message: `invalid swarm version '': strconv.ParseUint: parsing "": invalid syntax` },
  { method: 'POST', path: '/services/create', body: '{}', status: 503, message: NOT_MANAGER },
  { method: 'POST', path: '/services/x/update', body: '{}', status: 400, message: `invalid service version '': strconv.ParseUint: parsing "": invalid syntax` },
  { method: 'POST', path: '/secrets/x/update', body: '{}', status: 400, message: 'invalid secret version' },
  { method: 'POST', path: '/configs/create', body: '[', status: 400, message: 'unexpected EOF' },
  // berthd's reference parser names the repository in this message (as later dockerds do); only the status is compared.
  { method: 'GET', path: '/distribution/UPPER/json', status: 400, message: /^invalid reference format: repository name .*must be lowercase$/, berthOnly: true },
  { method: 'GET', path: `/distribution/${'a'.repeat(64)}/json`, status: 500, message: 'no manifest found for full image ID' },
];

/** Malformed, null and wrong-typed bodies: 400 with Go's words before any lookup, and nothing stored. */
const BODY_CASES: Case[] = [
  { method: 'POST', path: '/containers/c1/update', status: 400, dockerdStatus: 500, message: 'EOF' },
  { method: 'POST', path: '/containers/c1/update', body: 'null', status: 200 },
  { method: 'POST', path: '/containers/c1/update', body: '[]', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal array into Go value of type container.UpdateConfig' },
  { method: 'POST', path: '/containers/c1/update', body: '{"CpuShares":"x"}', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal string into Go struct field UpdateConfig.CpuShares of type int64' },
  { method: 'POST', path: '/containers/c1/update', body: '{"Memory":1e30}', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal number 1e30 into Go struct field UpdateConfig.Memory of type int64' },
  { method: 'POST', path: '/containers/c1/update', body: '{"RestartPolicy":{"Name":1}}', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal number into Go struct field RestartPolicy.RestartPolicy.Name of type string' },
  { method: 'POST', path: '/containers/c1/update', body: '{"Ulimits":[{"Name":1}]}', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal number into Go struct field Ulimit.Ulimits.Name of type string' },
  { method: 'POST', path: '/containers/c1/update', body: '{"memory":5}', status: 400, message: 'Minimum memory limit allowed is 6MB' },
  { method: 'POST', path: '/containers/nope/update', body: '[', status: 400, dockerdStatus: 500, message: 'unexpected EOF' },
  { method: 'POST', path: '/containers/nope/update', body: 'null', status: 404, message: 'No such container: nope' },
  { method: 'POST', path: '/containers/create', body: 'null', status: 400, message: 'Config cannot be empty in order to create a container' },
  { method: 'POST', path: '/containers/create', body: '{}', status: 400, message: 'Config cannot be empty in order to create a container' },
  { method: 'POST', path: '/containers/create', body: '{"HostConfig":{}}', status: 400, message: 'Config cannot be empty in order to create a container' },
  { method: 'POST', path: '/containers/create', body: '[]', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal array into Go value of type runconfig.ContainerConfigWrapper' },
  { method: 'POST', path: '/containers/c1/exec', status: 400, message: 'got EOF while reading request body' },
  { method: 'POST', path: '/containers/c1/exec', body: 'null', status: 400, message: 'No exec command specified' },
  { method: 'POST', path: '/containers/c1/exec', body: '{"Cmd":"ls"}', status: 400, message: 'json: cannot unmarshal string into Go struct field ExecConfig.Cmd of type []string' },
  { method: 'POST', path: '/containers/c1/exec', body: '{"Cmd":["ls"],"Env":{}}', status: 400, message: 'json: cannot unmarshal object into Go struct field ExecConfig.Env of type []string' },
  { method: 'POST', path: '/containers/nope/exec', body: '{', status: 400, message: 'unexpected EOF' },
  { method: 'POST', path: '/containers/nope/exec', body: '{}', status: 400, message: 'No exec command specified' },
  { method: 'POST', path: '/networks/create', status: 400, message: 'got EOF while reading request body' },
  { method: 'POST', path: '/networks/create', body: '[]', status: 400, message: 'json: cannot unmarshal array into Go value of type types.NetworkCreateRequest' },
  { method: 'POST', path: '/networks/create', body: '{"Name":1}', status: 400, message: 'json: cannot unmarshal number into Go struct field NetworkCreateRequest.Name of type string' },
  { method: 'POST', path: '/networks/create', body: '{"Name":"apicompat","Labels":[]}', status: 400, message: 'json: cannot unmarshal array into Go struct field NetworkCreateRequest.Labels of type map[string]string' },
  { method: 'POST', path: '/networks/create', body: '{"Name":"apicompat","IPAM":{"Config":[{"Subnet":1}]}}', status: 400, message: 'json: cannot unmarshal number into Go struct field IPAMConfig.IPAM.Config.Subnet of type string' },
  { method: 'POST', path: '/networks/create', body: 'null', status: 400, dockerdStatus: 500, message: 'invalid name: ' },
  { method: 'POST', path: '/networks/nonet/connect', status: 400, message: 'got EOF while reading request body' },
  { method: 'POST', path: '/networks/nonet/connect', body: '{"Container":1}', status: 400, message: 'json: cannot unmarshal number into Go struct field NetworkConnect.Container of type string' },
  { method: 'POST', path: '/networks/nonet/connect', body: '{"Container":"c1","EndpointConfig":{"Aliases":"x"}}', status: 400, message: 'json: cannot unmarshal string into Go struct field EndpointSettings.EndpointConfig.Aliases of type []string' },
  { method: 'POST', path: '/networks/nonet/connect', body: 'null', status: 400, message: 'invalid name or ID supplied: ""' },
  { method: 'POST', path: '/networks/nonet/disconnect', body: '{"Force":"x"}', status: 400, message: 'json: cannot unmarshal string into Go struct field NetworkDisconnect.Force of type bool' },
  { method: 'POST', path: '/networks/nonet/disconnect', body: '{}', status: 400, message: 'invalid name or ID supplied: ""' },
  { method: 'POST', path: '/volumes/create', status: 400, message: 'got EOF while reading request body' },
  { method: 'POST', path: '/volumes/create', body: '[]', status: 400, message: 'json: cannot unmarshal array into Go value of type volume.VolumeCreateBody' },
  { method: 'POST', path: '/volumes/create', body: '{"Name":"apicompat","Labels":[]}', status: 400, message: 'json: cannot unmarshal array into Go struct field VolumeCreateBody.Labels of type map[string]string' },
  { method: 'POST', path: '/volumes/create', body: '{"Name":"apicompat","Labels":{"a":1}}', status: 400, message: 'json: cannot unmarshal number into Go struct field VolumeCreateBody.Labels of type string' },
  { method: 'POST', path: '/volumes/create', body: '{"Name":"apicompat","DriverOpts":"x"}', status: 400, message: 'json: cannot unmarshal string into Go struct field VolumeCreateBody.DriverOpts of type map[string]string' },
  { method: 'POST', path: '/containers/c1/exec', body: '{"Cmd":["ls"]}', headers: { 'Content-Type': 'text/plain' }, status: 400, message: "Content-Type specified (text/plain) must be 'application/json'" },
  { method: 'POST', path: '/volumes/create', body: '{"Name":"apicompat"}', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 400, message: "Content-Type specified (application/x-www-form-urlencoded) must be 'application/json'" },
  { method: 'POST', path: '/networks/create', body: '{"Name":"apicompat","Internal":1}', headers: { 'Content-Type': 'application/json; charset=utf-8' }, status: 400, message: 'json: cannot unmarshal number into Go struct field NetworkCreateRequest.Internal of type bool' },
  { method: 'POST', path: '/containers/c1/stop?t=abc', status: 400, dockerdStatus: 500, message: 'strconv.Atoi: parsing "abc": invalid syntax' },
  { method: 'POST', path: '/containers/nope/restart?t=99999999999999999999', status: 400, dockerdStatus: 500, message: 'strconv.Atoi: parsing "99999999999999999999": value out of range' },
  { method: 'GET', path: '/containers/json?limit=x', status: 400, dockerdStatus: 500, message: 'strconv.Atoi: parsing "x": invalid syntax' },
  { method: 'POST', path: '/auth', body: '[]', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal array into Go value of type types.AuthConfig' },
  { method: 'POST', path: '/auth', body: '{"username":1}', status: 400, dockerdStatus: 500, message: 'json: cannot unmarshal number into Go struct field AuthConfig.username of type string' },
  { method: 'POST', path: '/auth', body: '{"serveraddress":"http://[::1"}', status: 400, message: `unable to parse server address: parse "http://[::1": missing ']' in host` },
  { method: 'POST', path: '/auth', body: '{"serveraddress":"%zz"}', status: 400, message: 'unable to parse server address: parse "https://%zz": invalid URL escape "%zz"' },
];

describe('raw API requests: berthd answers as dockerd 20.10', () => {
  let daemon: TestDaemon;
  let dockerd: ReferenceDockerd | undefined;
  const berth = (method: string, path: string, body?: string, headers?: Record<string, string>) => api(daemon.socket, method, path, body, headers);
  const reference = (method: string, path: string, body?: string, headers?: Record<string, string>) =>
    api(`${dockerd!.dir}/docker.sock`, method, path, body, headers);

  before(async () => {
    daemon = await TestDaemon.start();
    const rootfs = await busyboxRootfs();
    if (!dockerdSkipReason()) dockerd = await ReferenceDockerd.start();
    for (const docker of [daemon.docker.bind(daemon), ...(dockerd ? [dockerd.docker.bind(dockerd)] : [])]) {
      assert.equal(docker(['import', '-c', 'CMD ["sh"]', rootfs, 'busybox:latest']).code, 0);
      // --network none: the reference dockerd has no default bridge (and a legacy link needs none to be created).
      assert.equal(docker(['create', '--name', 'c1', '--network', 'none', 'busybox', 'sleep', '1000']).code, 0);
      const c2 = docker(['create', '--name', 'c2', '--link', 'c1:al', 'busybox', 'sleep', '1000']);
      assert.equal(c2.code, 0, c2.stderr);
    }
  });
  after(async () => {
    await dockerd?.stop();
    await daemon?.stop();
  });

  async function check(c: Case): Promise<void> {
    const label = `${c.method} ${c.path} ${c.body ?? '(no body)'}`;
    const ours = await berth(c.method, c.path, c.body, c.headers);
    assert.equal(ours.status, c.status, `${label}: ${ours.body}`);
    if (c.message instanceof RegExp) assert.match(ours.message, c.message, label);
    else if (c.message !== undefined) assert.equal(ours.message, c.message, label);
    if (!dockerd || c.berthOnly) return;
    const theirs = await reference(c.method, c.path, c.body, c.headers);
    assert.equal(theirs.status, c.dockerdStatus ?? c.status, `dockerd, ${label}: ${theirs.body}`);
    assert.equal(ours.message, theirs.message, `message of ${label}`);
    if (c.status === 200) assert.equal(ours.body.trim(), theirs.body.trim(), `body of ${label}`);
  }

  it('keeps an idle kept-alive connection open, as dockerd does (a server-side idle close races the client\'s next request)', async () => {
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ping = () => new Promise<number | undefined>((resolve, reject) => {
      request({ socketPath: daemon.socket, path: '/_ping', agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      }).on('error', reject).end();
    });
    try {
      assert.equal(await ping(), 200);
      const [socket] = Object.values(agent.freeSockets).flat();
      assert.ok(socket, 'the agent keeps the connection');
      let closed = false;
      socket.once('close', () => (closed = true));
      // Longer than Node's default keep-alive timeout (5 s), which berthd used to apply.
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      assert.equal(closed, false, 'berthd closed an idle connection');
      assert.equal(await ping(), 200);
    } finally {
      agent.destroy();
    }
  });

  it('answers plugin, swarm and distribution endpoints as a dockerd without plugins or swarm', async () => {
    for (const c of ENDPOINT_CASES) await check(c);
  });

  it('refuses malformed and wrong-typed bodies with Go\'s words, before any lookup, storing nothing', async () => {
    const volumesBefore = (await berth('GET', '/volumes')).body;
    const networksBefore = JSON.parse((await berth('GET', '/networks')).body).length;
    for (const c of BODY_CASES) await check(c);
    assert.equal((await berth('GET', '/volumes')).body, volumesBefore, 'no volume was made');
    assert.equal(JSON.parse((await berth('GET', '/networks')).body).length, networksBefore, 'no network was made');
    assert.equal((await berth('GET', '/_ping')).status, 200);
  });

  it('refuses a volume name longer than the filesystem allows with dockerd\'s text, as a 400', async () => {
    const name = 'a'.repeat(8000);
    const ours = await berth('POST', '/volumes/create', JSON.stringify({ Name: name }));
    const pattern = new RegExp(`^create ${name}: error while creating volume root path '/\\S+/${name}': mkdir /\\S+/${name}: file name too long$`);
    assert.equal(ours.status, 400);
    assert.match(ours.message, pattern);
    assert.equal((await berth('GET', `/volumes/${name}`)).status, 404);
    if (!dockerd) return;
    const theirs = await reference('POST', '/volumes/create', JSON.stringify({ Name: name }));
    assert.match(theirs.message, pattern);
  });

  it('removes a link with rm --link, refusing a container\'s own name', async () => {
    for (const send of [berth, ...(dockerd ? [reference] : [])]) {
      const own = await send('DELETE', '/containers/c1?link=1');
      assert.equal(own.message, 'Conflict, cannot remove the default link name of the container');
      assert.equal(own.status, send === berth ? 409 : 500, 'berthd says 409 for this conflict, dockerd 500');
      assert.deepEqual(await send('DELETE', '/containers/c2/nope?link=1').then((a) => [a.status, a.message]), [404, 'No such container: c2/nope']);
      assert.equal((await send('DELETE', '/containers/c2/al?link=1')).status, 204);
      const links = (JSON.parse((await send('GET', '/containers/c2/json')).body) as { HostConfig: { Links: string[] | null } }).HostConfig.Links;
      assert.equal((links ?? []).length, 0, 'the link is gone from the parent');
      assert.deepEqual(await send('DELETE', '/containers/c2/al?link=1').then((a) => [a.status, a.message]), [404, 'No such container: c2/al']);
      assert.equal((await send('GET', '/containers/c1/json')).status, 200, 'the linked container itself stays');
    }
  });

  it('wait on a container whose start failed carries the start error, as dockerd\'s does', async () => {
    for (const send of [berth, ...(dockerd ? [reference] : [])]) {
      const created = await send('POST', '/containers/create?name=nostart', JSON.stringify({ Image: 'busybox', Cmd: ['/no/such/binary'], HostConfig: { NetworkMode: 'none' } }));
      assert.equal(created.status, 201, created.body);
      assert.notEqual((await send('POST', '/containers/nostart/start')).status, 204);
      const waited = await send('POST', '/containers/nostart/wait');
      assert.equal(waited.status, 200);
      const result = JSON.parse(waited.body) as { StatusCode: number; Error: { Message: string } | null };
      assert.equal(result.StatusCode, 127, waited.body);
      assert.match(result.Error?.Message ?? '', /\/no\/such\/binary.*no such file or directory/, waited.body);
      assert.equal((await send('DELETE', '/containers/nostart')).status, 204);
    }
  });

  it('waits out a stop timeout longer than a Node timer holds (stop?t=3000000)', async () => {
    const id = 'longstop';
    assert.equal(daemon.docker(['run', '-d', '--name', id, '--network', 'none', 'busybox', 'sleep', '1000']).code, 0);
    const running = async () => (JSON.parse((await berth('GET', `/containers/${id}/json`)).body) as { State: { Running: boolean } }).State.Running;
    let stopped: number | undefined;
    const stop = berth('POST', `/containers/${id}/stop?t=3000000`).then((a) => (stopped = a.status));
    // sleep as PID 1 ignores SIGTERM: the stop must go on waiting. Watch it for 3 s.
    const watchUntil = Date.now() + 3000;
    while (Date.now() < watchUntil) {
      assert.equal(await running(), true, 'stop -t 3000000 must not kill the container at once');
      assert.equal(stopped, undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal((await berth('POST', `/containers/${id}/kill`)).status, 204);
    assert.equal(await stop, 204);
    assert.equal(await running(), false);
  });

  it('keeps long durations long: an events stream until next month, a health check every 30 days', async () => {
    const month = 30 * 24 * 3600;
    const stream = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      request({ socketPath: daemon.socket, path: `/events?until=${Math.floor(Date.now() / 1000) + month}` }, resolve).on('error', reject).end();
    });
    let ended = false;
    stream.on('end', () => (ended = true)).resume();
    const create = await berth('POST', '/containers/create?name=slowhealth', JSON.stringify({
      Image: 'busybox', Cmd: ['sleep', '1000'], HostConfig: { NetworkMode: 'none' },
      Healthcheck: { Test: ['CMD', 'true'], Interval: month * 1e9 },
    }));
    assert.equal(create.status, 201, create.body);
    assert.equal((await berth('POST', '/containers/slowhealth/start')).status, 204);
    // An overflowing timer fires after 1 ms: within 2 s the stream would have ended and the probe have run many times.
    const watchUntil = Date.now() + 2000;
    while (Date.now() < watchUntil) {
      const health = (JSON.parse((await berth('GET', '/containers/slowhealth/json')).body) as { State: { Health: { Status: string; Log: unknown[] } } }).State.Health;
      assert.equal(health.Status, 'starting');
      assert.equal(health.Log.length, 0, 'no probe before the first interval has passed');
      assert.equal(ended, false, 'the events stream stays open until its until');
      await new Promise((r) => setTimeout(r, 200));
    }
    stream.destroy();
  });

  it('hands runc only numbers it can read: update with extreme values never makes runc fail to parse or panic', async () => {
    const id = 'extremes';
    assert.equal(daemon.docker(['run', '-d', '--name', id, '--network', 'none', 'busybox', 'sleep', '1000']).code, 0);
    // Raw text: JavaScript would round these before they were sent.
    const bodies = [
      '{"Memory":9223372036854775807}', '{"CpuShares":9223372036854775807}', '{"CpuPeriod":9223372036854775807}',
      '{"CpuQuota":-9223372036854775808}', '{"PidsLimit":9223372036854775807}', '{"MemorySwap":-9223372036854775808}',
      '{"Memory":9007199254740993}', '{"CpuQuota":-5}', '{"CpusetCpus":"x"}', '{"BlkioWeight":65535}',
      '{"CpuPeriod":-5}', '{"MemorySwap":-2}', '{"Memory":7000000,"MemorySwap":-1}', '{"CpusetMems":"99"}', '{"PidsLimit":-9}',
      '{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":-9223372036854775808}}',
    ];
    for (const text of bodies) {
      const answer = await berth('POST', `/containers/${id}/update`, text);
      // dockerd too lets runc's own refusals through as 500s ("the maximum allowed cpu-shares is 262144");
      // what must never happen is a value runc cannot even read, or a runc that panics on one.
      if (answer.status >= 500) assert.match(answer.message, /^runc update: (?!.*(panic|goroutine|cannot unmarshal))/s, `${text}: ${answer.body}`);
    }
    assert.equal(await berth('GET', '/_ping').then((a) => a.status), 200);
  });

  it('gives the registry\'s manifest descriptor and platforms for GET /distribution/{name}/json', async () => {
    const registry = await TestRegistry.start();
    try {
      const pushed = await pushRawImage(registry, 'dist/one', 'v1', [await tarOf({ 'etc/one': '1\n' })], { architecture: 'arm64', variant: 'v8' });
      const list = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
        manifests: [
          { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: pushed.manifestDigest, size: pushed.manifest.length, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
          { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: pushed.manifestDigest, size: pushed.manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
        ],
      }));
      const put = await registry.request('PUT', '/v2/dist/one/manifests/multi', { headers: { 'Content-Type': 'application/vnd.docker.distribution.manifest.list.v2+json' }, body: list });
      assert.equal(put.status, 201);
      const host = registry.hostPort;
      const single = JSON.parse((await berth('GET', `/distribution/${host}/dist/one:v1/json`)).body);
      assert.deepEqual(single, {
        Descriptor: { mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest: pushed.manifestDigest, size: pushed.manifest.length },
        Platforms: [{ architecture: 'arm64', os: 'linux', variant: 'v8' }],
      });
      const byDigest = JSON.parse((await berth('GET', `/distribution/${host}/dist/one@${pushed.manifestDigest}/json`)).body);
      assert.deepEqual(byDigest, single);
      const multi = JSON.parse((await berth('GET', `/distribution/${host}/dist/one:multi/json`)).body);
      assert.equal(multi.Descriptor.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
      assert.equal(multi.Descriptor.size, list.length);
      assert.deepEqual(multi.Platforms, [{ architecture: 'arm64', os: 'linux', variant: 'v8' }, { architecture: 'amd64', os: 'linux' }]);
      const missing = await berth('GET', `/distribution/${host}/dist/one:nope/json`);
      assert.equal(missing.status, 404);
      if (!dockerd) return;
      for (const ref of [`${host}/dist/one:v1`, `${host}/dist/one:multi`]) {
        const theirs = await reference('GET', `/distribution/${ref}/json`);
        assert.deepEqual(JSON.parse((await berth('GET', `/distribution/${ref}/json`)).body), JSON.parse(theirs.body), ref);
      }
      const theirsMissing = await reference('GET', `/distribution/${host}/dist/one:nope/json`);
      assert.equal(missing.message, theirsMissing.message);
    } finally {
      await registry.stop();
    }
  });
});

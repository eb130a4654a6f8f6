/**
 * A differential sweep of the raw API against a private dockerd 20.10, for
 * what the other side-by-side tests leave out: the `filters` parameter
 * (malformed JSON, the legacy shape, unknown names and bad values on every
 * listing and prune), since/until of /events, top's ps_args, the archive
 * path, /system/df and size=1 shapes, and the /info and /version key sets.
 * berthd answers 400 where dockerd says 500 for a client's mistake (as
 * api-compat.test.ts records); the messages must be dockerd's.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { busyboxRootfs, dockerdSkipReason, ReferenceDockerd, TestDaemon, type RunResult } from './harness.js';
import { apiOn, RawJson, type RawReply } from './raw-api.js';

type Answer = RawReply;


const q = (value: unknown) => encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value));
const SYNTAX = "invalid character 'b' looking for beginning of object key string";

/** [method, path, berthd's status, dockerd's status, the message both give]. */
type Case = [string, string, number, number, string];

const CASES: Case[] = [
  // Malformed filters: encoding/json's words (dockerd: 500, volumes 400 with its prefix).
  ...['/containers/json', '/images/json', '/networks'].map((p): Case => ['GET', `${p}?filters=${q('{bad')}`, 400, 500, SYNTAX]),
  ['GET', `/volumes?filters=${q('{bad')}`, 400, 400, `error reading volume filters: ${SYNTAX}`],
  ['GET', `/volumes?filters=${q([])}`, 400, 400, 'error reading volume filters: json: cannot unmarshal array into Go value of type map[string]map[string]bool'],
  ['GET', `/containers/json?filters=${q({ a: 'x' })}`, 400, 500, 'json: cannot unmarshal string into Go value of type map[string]bool'],
  // Unknown filter names, capital I as in dockerd 20.10.
  ...['/containers/json', '/images/json', '/networks', '/volumes'].map((p): Case => ['GET', `${p}?filters=${q({ foo: ['x'] })}`, 400, 400, "Invalid filter 'foo'"]),
  ...['/containers/prune', '/images/prune', '/networks/prune', '/volumes/prune'].map((p): Case => ['POST', `${p}?filters=${q({ foo: ['x'] })}`, 400, 400, "Invalid filter 'foo'"]),
  // Bad values.
  ['GET', `/containers/json?filters=${q({ status: ['bad'] })}`, 400, 400, "Invalid filter 'status=bad'"],
  ['GET', `/containers/json?filters=${q({ health: ['bogus'] })}`, 400, 400, 'Unrecognised filter value for health: bogus'],
  ['GET', `/images/json?filters=${q({ dangling: ['x'] })}`, 400, 400, "Invalid filter 'dangling=[x]'"],
  ['GET', `/volumes?filters=${q({ dangling: ['x'] })}`, 400, 400, "Invalid filter 'dangling=[x]'"],
  ['GET', `/networks?filters=${q({ dangling: ['x'] })}`, 400, 400, `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`],
  ['GET', `/networks?filters=${q({ type: ['x'] })}`, 400, 500, "invalid filter: 'type'='x'"],
  // A bad until fails a prune even with nothing to prune.
  ...['/containers/prune', '/images/prune', '/networks/prune'].map((p): Case => ['POST', `${p}?filters=${q({ until: ['x'] })}`, 400, 500, 'failed to parse value as time or duration: "x"']),
  // /events: since and until are seconds[.nanoseconds] only.
  ['GET', '/events?since=abc', 400, 500, 'strconv.ParseInt: parsing "abc": invalid syntax'],
  ['GET', '/events?since=1h&until=1', 400, 500, 'strconv.ParseInt: parsing "1h": invalid syntax'],
  ['GET', '/events?since=1.x&until=2', 400, 500, 'strconv.ParseInt: parsing "x": invalid syntax'],
  // top: ps's first line of complaint; a stopped container is a conflict.
  ['GET', `/containers/running/top?ps_args=${q('-zzz')}`, 400, 500, 'ps: error: unsupported SysV option'],
  ['GET', '/containers/running/archive?path=', 400, 400, 'bad parameter: pathcannot be empty'],
  ['PUT', '/containers/running/archive?path=', 400, 400, 'bad parameter: pathcannot be empty'],
  // rename's name errors come with dockerd's context; logs since/until are seconds[.nanoseconds] as for /events.
  ['POST', `/containers/running/rename?name=${q('/bad name')}`, 400, 400, 'Error when allocating new name: Invalid container name (/bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'],
  ['GET', '/containers/running/logs?stdout=1&since=x', 400, 500, 'strconv.ParseInt: parsing "x": invalid syntax'],
  ['GET', '/containers/running/logs?stdout=1&until=1.y', 400, 500, 'strconv.ParseInt: parsing "y": invalid syntax'],
  // Tag and commit: the image is looked up first, then an empty repo or container is refused as dockerd parses and looks it up.
  ['POST', '/images/nosuch/tag', 404, 404, 'No such image: nosuch:latest'],
  ['POST', '/images/busybox/tag', 400, 500, 'invalid reference format'],
  ['POST', '/images/busybox/tag?repo=x&tag=bad:tag', 400, 500, 'invalid tag format'],
  ['POST', '/commit', 400, 400, 'invalid name or ID supplied: ""'],
  // kill: the signal is checked before the container is looked up, and every error says what failed.
  ['POST', '/containers/nosuch/kill', 404, 404, 'Cannot kill container: nosuch: No such container: nosuch'],
  ['POST', '/containers/nosuch/kill?signal=NOPE', 400, 400, 'Invalid signal: NOPE'],
  // save: a bare name is searched for as an image, a tagged one in the reference store.
  ['GET', '/images/get?names=nosuch', 404, 404, 'No such image: nosuch'],
  ['GET', '/images/get?names=nosuch%3A1', 404, 404, 'reference does not exist'],
];

describe('raw API sweep: berthd answers as dockerd 20.10', { skip: dockerdSkipReason() }, () => {
  let berthd: TestDaemon;
  let dockerd: ReferenceDockerd;
  const targets: { name: string; api: ReturnType<typeof apiOn>; docker(args: string[]): RunResult }[] = [];

  before(async () => {
    [berthd, dockerd] = await Promise.all([TestDaemon.start(), ReferenceDockerd.start()]);
    targets.push({ name: 'berthd', api: apiOn(berthd.socket), docker: (a) => berthd.docker(a) });
    targets.push({ name: 'dockerd', api: apiOn(join(dockerd.dir, 'docker.sock')), docker: (a) => dockerd.docker(a) });
    const tar = await busyboxRootfs();
    for (const t of targets) {
      for (const args of [['import', '-c', 'CMD ["sh"]', tar, 'busybox:latest'], ['run', '-d', '--name', 'running', '--network', 'none', 'busybox', 'sleep', '1000']]) {
        const r = t.docker(args);
        assert.equal(r.code, 0, `${t.name} ${args[0]}: ${r.stderr}`);
      }
    }
  });
  after(async () => {
    for (const t of targets) t.docker(['rm', '-f', 'running']);
    await Promise.all([berthd?.stop(), dockerd?.stop()]);
  });

  test('bad filters, timestamps, ps_args and archive paths get dockerd\'s messages', async () => {
    for (const [method, path, status, dockerdStatus, message] of CASES) {
      for (const [t, want] of [[targets[0]!, status], [targets[1]!, dockerdStatus]] as const) {
        const r = await t.api(method, path);
        assert.deepEqual([r.status, (JSON.parse(r.body) as { message: string }).message], [want, message], `${t.name}: ${method} ${path}`);
      }
    }
  });

  test('an import that fails before it has anything to say is an HTTP error, not a 200 stream (SDKs raise it)', async () => {
    const garbage = Buffer.alloc(3000, 'not a tar ');
    for (const t of targets) {
      const changes = await t.api('POST', `/images/create?fromSrc=-&repo=bad&changes=${q('EXPOSE 5-3')}`, Buffer.alloc(0));
      assert.deepEqual([changes.status, JSON.parse(changes.body)], [400, { message: 'Invalid containerPort: 5-3' }], t.name);
      const tarball = await t.api('POST', '/images/create?fromSrc=-&repo=bad', garbage);
      // dockerd says 500 and words it after its tar child process; berthd says 400 (the client's mistake).
      assert.equal(tarball.status, t.name === 'berthd' ? 400 : 500, `${t.name}: ${tarball.body}`);
      assert.deepEqual(Object.keys(JSON.parse(tarball.body) as object), ['message'], t.name);
      assert.equal((await t.api('GET', '/images/bad/json')).status, 404, t.name);
    }
  });

  test('logs with details=1: each message after its (empty) attributes and a space, timestamps first', async () => {
    const bodies = [];
    for (const t of targets) {
      assert.equal(t.docker(['run', '--name', 'talker', '--network', 'none', 'busybox', 'sh', '-c', 'echo one; echo two >&2']).code, 0, t.name);
      try {
        // One stream per request: the order of lines across stdout and stderr is the order they reached the logger.
        const out = await t.api('GET', '/containers/talker/logs?stdout=1&details=1');
        const err = await t.api('GET', '/containers/talker/logs?stderr=1&details=1');
        const stamped = await t.api('GET', '/containers/talker/logs?stdout=1&details=1&timestamps=1');
        bodies.push([out.body + err.body, stamped.body.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>')]);
      } finally {
        t.docker(['rm', '-f', 'talker']);
      }
    }
    assert.deepEqual(bodies[0], bodies[1]);
    assert.deepEqual(bodies[0], ['\x01\0\0\0\0\0\0\x05 one\n\x02\0\0\0\0\0\0\x05 two\n', '\x01\0\0\0\0\0\0\x24<time>  one\n']);
  });

  test('the legacy filters shape, and unknown /events filter names, are taken as dockerd takes them', async () => {
    for (const t of targets) {
      const legacy = await t.api('GET', `/containers/json?filters=${q({ name: ['running'] })}`);
      assert.deepEqual((JSON.parse(legacy.body) as { Names: string[] }[]).map((c) => c.Names), [['/running']], t.name);
      const events = await t.api('GET', `/events?since=1&until=2&filters=${q({ colour: ['blue'] })}`);
      assert.deepEqual([events.status, events.body], [200, ''], t.name);
    }
  });

  test('a body that is not JSON gets Go\'s decoder words (dockerd 500, berthd 400)', async () => {
    for (const [t, status] of [[targets[0]!, 400], [targets[1]!, 500]] as const) {
      for (const [text, message] of [['{bad', SYNTAX], ['{"Image": "busybox",', 'unexpected EOF'], ['[1', 'unexpected EOF']] as const) {
        const r = await t.api('POST', '/containers/create', new RawJson(text));
        if (text === '[1') {
          assert.equal(r.status, status, `${t.name}: ${r.body}`); // an array where an object is wanted: Go's type error, checked in gojson.test
          continue;
        }
        assert.deepEqual([r.status, JSON.parse(r.body)], [status, { message }], `${t.name}: ${text}`);
      }
    }
  });

  test('JSON bodies end with a newline, as a Go json.Encoder writes them: answers, errors and a wait', async () => {
    for (const t of targets) {
      const created = await t.api('POST', '/containers/create?name=idle', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
      assert.equal(created.status, 201, `${t.name}: ${created.body}`);
      try {
        const bodies = await Promise.all([
          t.api('GET', '/version'), t.api('GET', '/containers/json'), t.api('GET', '/containers/nope/json'), t.api('POST', '/containers/idle/wait'),
        ]);
        assert.deepEqual(bodies.map((r) => [r.status, r.body.endsWith('}\n') || r.body.endsWith(']\n')]), [[200, true], [200, true], [404, true], [200, true]], t.name);
        // Answers (WriteJSON) leave HTML's characters as they are; streams (json.Marshal) escape them.
        const labelled = await t.api('POST', '/containers/create?name=html', { Image: 'busybox', Labels: { l: '<a&b>' }, HostConfig: { NetworkMode: 'none' } });
        assert.equal(labelled.status, 201, `${t.name}: ${labelled.body}`);
        assert.match((await t.api('GET', '/containers/html/json')).body, /"l":"<a&b>"/, t.name);
        const now = Date.now() / 1000; // until now: the recorded events, then the stream ends
        const events = await t.api('GET', `/events?since=${Math.floor(now) - 60}&until=${now.toFixed(3)}&filters=${q({ container: ['html'] })}`);
        assert.match(events.body, /"l":"\\u003ca\\u0026b\\u003e"/, `${t.name}: ${events.body}`);
      } finally {
        await t.api('DELETE', '/containers/idle?force=1');
        await t.api('DELETE', '/containers/html?force=1');
      }
    }
  });

  test('a network\'s IPAM as dockerd shows it: a given subnet without the gateway picked for it, Options as sent', async () => {
    const shapes = [];
    for (const [i, t] of targets.entries()) {
      const subnet = `10.231.${i + 1}.0/24`;
      const given = await t.api('POST', '/networks/create', { Name: 'given', IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: subnet }] } });
      const picked = await t.api('POST', '/networks/create', { Name: 'picked' });
      try {
        assert.deepEqual([given.status, picked.status], [201, 201], `${t.name}: ${given.body} ${picked.body}`);
        const ipam = async (name: string) => (JSON.parse((await t.api('GET', `/networks/${name}`)).body) as { IPAM: { Options: unknown; Config: Record<string, string>[] } }).IPAM;
        const [a, b] = [await ipam('given'), await ipam('picked')];
        assert.deepEqual(a.Config, [{ Subnet: subnet }], t.name);
        const overlapping = await t.api('POST', '/networks/create', { Name: 'overlapping', IPAM: { Config: [{ Subnet: subnet }] } });
        assert.deepEqual([overlapping.status, JSON.parse(overlapping.body)], [403, { message: 'Pool overlaps with other one on this address space' }], t.name);
        shapes.push({ given: a.Options, picked: b.Options, pickedKeys: b.Config.map((c) => Object.keys(c).sort()) });
      } finally {
        for (const name of ['given', 'picked']) await t.api('DELETE', `/networks/${name}`);
      }
    }
    assert.deepEqual(shapes[0], shapes[1]);
    assert.deepEqual(shapes[0], { given: {}, picked: null, pickedKeys: [['Gateway', 'Subnet']] });
  });

  test('connect and disconnect of a container that is not running, prunes with nothing to prune, top\'s field order: as dockerd', async () => {
    const seen: unknown[] = [];
    for (const t of targets) {
      const body = async (method: string, path: string, payload?: unknown) => {
        const r = await t.api(method, path, payload);
        return [r.status, r.body.replace(/[0-9a-f]{64}/g, '<id>').trim()];
      };
      const endpointOf = async (container: string, network: string) => {
        const inspect = JSON.parse((await t.api('GET', `/containers/${container}/json`)).body) as { Id: string; NetworkSettings: { Networks: Record<string, { Aliases: string[] | null; NetworkID: string }> } };
        const { Aliases, NetworkID } = inspect.NetworkSettings.Networks[network]!;
        return { Aliases: Aliases?.map((a) => (a === inspect.Id.slice(0, 12) ? '<short id>' : a)) ?? null, NetworkID };
      };
      assert.equal((await t.api('POST', '/containers/create?name=stopped', { Image: 'busybox' })).status, 201, t.name);
      assert.equal((await t.api('POST', '/networks/create', { Name: 'sweepnet' })).status, 201, t.name);
      try {
        seen.push({
          notConnected: await body('POST', '/networks/sweepnet/disconnect', { Container: 'stopped' }),
          connected: await body('POST', '/networks/sweepnet/connect', { Container: 'stopped' }),
          again: await body('POST', '/networks/sweepnet/connect', { Container: 'stopped', EndpointConfig: { Aliases: ['second'] } }),
          endpoint: await endpointOf('stopped', 'sweepnet'),
          disconnected: await body('POST', '/networks/sweepnet/disconnect', { Container: 'stopped' }),
          runningNotConnected: await body('POST', '/networks/sweepnet/disconnect', { Container: 'running' }),
          volumesPrune: await body('POST', `/volumes/prune?filters=${q({ label: ['nothing-here'] })}`),
          networksPrune: await body('POST', `/networks/prune?filters=${q({ label: ['nothing-here'] })}`),
          topKeys: Object.keys(JSON.parse((await t.api('GET', '/containers/running/top')).body) as object),
        });
      } finally {
        await t.api('DELETE', '/containers/stopped?force=1');
        await t.api('DELETE', '/networks/sweepnet');
      }
    }
    assert.deepEqual(seen[0], {
      notConnected: [403, '{"message":"container <id> is not connected to the network sweepnet"}'],
      connected: [200, ''],
      again: [200, ''],
      // The second connect of a container that is not running changes nothing; the short ID is an alias from the first.
      endpoint: { Aliases: ['<short id>'], NetworkID: '' },
      disconnected: [200, ''],
      runningNotConnected: [403, '{"message":"container <id> is not connected to network sweepnet"}'],
      volumesPrune: [200, '{"VolumesDeleted":[],"SpaceReclaimed":0}'],
      networksPrune: [200, '{"NetworksDeleted":null}'],
      topKeys: ['Processes', 'Titles'],
    });
    // dockerd says 500 for "not connected" (plain errors); berthd 403, a client's mistake as connecting twice is.
    const asDockerd = (x: { notConnected: unknown[]; runningNotConnected: unknown[] }) => ({ ...x, notConnected: [500, x.notConnected[1]], runningNotConnected: [500, x.runningNotConnected[1]] });
    assert.deepEqual(seen[1], asDockerd(seen[0] as { notConnected: unknown[]; runningNotConnected: unknown[] }));
  });

  test('HEAD of an archive path: the same stat header, and 404 for a missing path', async () => {
    const stats = [];
    for (const t of targets) {
      const r = await t.api('HEAD', '/containers/running/archive?path=/bin/sh');
      assert.equal(r.status, 200, t.name);
      const stat = JSON.parse(Buffer.from(String(r.headers['x-docker-container-path-stat']), 'base64').toString()) as Record<string, unknown>;
      delete stat.mtime;
      stats.push(stat);
      assert.equal((await t.api('HEAD', '/containers/running/archive?path=/nope')).status, 404, t.name);
    }
    assert.deepEqual(stats[0], stats[1]);
  });

  test('/info, /version and /system/df have dockerd\'s keys; sizes are left out when 0, as Go\'s omitempty does', async () => {
    const shapes = [];
    for (const t of targets) {
      const get = async (path: string) => JSON.parse((await t.api('GET', path)).body) as Record<string, unknown>;
      const info = await get('/v1.41/info');
      const df = await get('/v1.41/system/df');
      const listed = (await get('/v1.41/containers/json?size=1')) as unknown as Record<string, unknown>[];
      const inspected = await get('/v1.41/containers/running/json?size=1');
      shapes.push({
        info: Object.keys(info).sort(),
        plugins: (info.Plugins as { Network: string[] }).Network.filter((d) => ['bridge', 'host', 'macvlan', 'null'].includes(d)),
        version: Object.keys(await get('/v1.41/version')).sort(),
        df: Object.keys(df).sort(),
        buildCache: [df.BuildCache, df.BuilderSize],
        dfContainers: (df.Containers as Record<string, unknown>[]).map((c) => Object.keys(c).sort()),
        // df lists the containers as ps does, their networks included.
        dfNetworks: (df.Containers as { NetworkSettings: { Networks: Record<string, unknown> } }[]).map((c) => Object.keys(c.NetworkSettings.Networks)),
        dfImages: (df.Images as Record<string, unknown>[]).map((c) => Object.keys(c).sort()),
        listed: listed.map((c) => Object.keys(c).sort()),
        inspectSizes: [typeof inspected.SizeRw, typeof inspected.SizeRootFs],
        plainInspect: 'SizeRw' in (await get('/v1.41/containers/running/json')),
      });
    }
    assert.deepEqual(shapes[0], shapes[1]);
    assert.deepEqual(shapes[0]!.buildCache, [null, 0]);
    assert.deepEqual(shapes[0]!.plugins, ['bridge', 'host', 'macvlan', 'null']);
  });

  test('API versions 1.12 to 1.23 are served, their errors in plain text; older ones are refused, in plain text too', async () => {
    // [method, path, status]; a route that matches decides the version check (dockerd's middleware runs after the router).
    const cases: [string, string, number][] = [
      ['GET', '/v1.11/version', 400], ['GET', '/v1/version', 400], ['GET', '/v0.1/_ping', 400], ['OPTIONS', '/v1.11/version', 400],
      ['GET', '/v1.12/version', 200], ['GET', '/v1.12/_ping', 200], ['GET', '/v1.23/containers/json', 200], ['GET', '/v1.41.0/version', 200],
      ['GET', '/v1.23/containers/nope/json', 404], ['GET', '/v1.24/containers/nope/json', 404], ['GET', '/v1.11/nonexistent', 404],
      ['GET', '/v1.99/nonexistent', 404], ['PUT', '/v1.12/version', 404], ['PUT', '/v1.41/version', 404], ['GET', '/v1.12/', 404], ['GET', '/v1.2x/version', 404],
    ];
    const answers = [];
    for (const t of targets) {
      const seen = [];
      for (const [method, path, status] of cases) {
        const r = await t.api(method, path);
        assert.equal(r.status, status, `${t.name}: ${method} ${path}: ${r.body}`);
        if (status === 200) continue;
        const type = String(r.headers['content-type']);
        // Go's encoder ends JSON with a newline; the message is what counts.
        seen.push([method, path, type, type.startsWith('application/json') ? (JSON.parse(r.body) as { message: string }).message : r.body]);
      }
      answers.push(seen);
    }
    assert.deepEqual(answers[0], answers[1]);
    assert.deepEqual(answers[0]![0], ['GET', '/v1.11/version', 'text/plain; charset=utf-8', 'client version 1.11 is too old. Minimum supported API version is 1.12, please upgrade your client to a newer version\n']);
    assert.deepEqual(answers[0]!.find((a) => a[1] === '/v1.23/containers/nope/json')!.slice(2), ['text/plain; charset=utf-8', 'No such container: nope\n']);
  });

  test('an image without digests lists RepoDigests null below API 1.43, as dockerd 20.10; inspect keeps []', async () => {
    const seen = [];
    for (const t of targets) {
      const view = [];
      for (const version of ['1.24', '1.41']) {
        const [image] = JSON.parse((await t.api('GET', `/v${version}/images/json`)).body) as { RepoDigests: unknown; RepoTags: unknown }[];
        view.push([version, image!.RepoDigests, image!.RepoTags]);
      }
      view.push((JSON.parse((await t.api('GET', '/v1.41/images/busybox/json')).body) as { RepoDigests: unknown }).RepoDigests);
      seen.push(view);
    }
    assert.deepEqual(seen[0], seen[1]);
    assert.deepEqual(seen[0], [['1.24', null, ['busybox:latest']], ['1.41', null, ['busybox:latest']], []]);
    // From 1.43 on (newer than dockerd 20.10) the lists are always arrays.
    const [current] = JSON.parse((await targets[0]!.api('GET', '/v1.43/images/json')).body) as { RepoDigests: unknown }[];
    assert.deepEqual(current!.RepoDigests, []);
  });

  test('what python3-docker sends and reads: its create body, inspect shapes and conflict texts', async () => {
    const ids = (text: string) => text.replace(/[0-9a-f]{64}/g, '<id>').replace(/[0-9a-f]{12}/g, '<id12>');
    const keys = (o: unknown) => Object.keys(o as object).sort();
    const views = [];
    for (const t of targets) {
      // docker-py's create_container: every field, nulls for those not given, NetworkDisabled false.
      const body = { Image: 'busybox', Cmd: ['true'], NetworkDisabled: false, MacAddress: null, StopSignal: null, Healthcheck: null, StopTimeout: null, Env: null, Labels: {}, HostConfig: { NetworkMode: 'none' } };
      assert.equal((await t.api('POST', '/v1.41/containers/create?name=pystyle', body)).status, 201, t.name);
      const c = JSON.parse((await t.api('GET', '/v1.41/containers/pystyle/json')).body) as Record<string, Record<string, unknown>>;
      const running = JSON.parse((await t.api('GET', '/v1.41/containers/running/json')).body) as { NetworkSettings: { Networks: Record<string, unknown> } };
      const exec = JSON.parse((await t.api('POST', '/v1.41/containers/running/exec', { Cmd: ['true'] })).body) as { Id: string };
      const execInspect = JSON.parse((await t.api('GET', `/v1.41/exec/${exec.Id}/json`)).body) as { ProcessConfig: unknown };
      const texts = [];
      for (const [method, path, payload] of [
        ['POST', '/v1.41/containers/pystyle/kill'], ['POST', '/v1.41/containers/pystyle/pause'], ['POST', '/v1.41/containers/running/unpause'],
        ['POST', '/v1.41/containers/pystyle/exec', { Cmd: ['true'] }], ['POST', '/v1.41/containers/pystyle/rename?name=running'], ['GET', '/v1.41/images/nope/json'],
      ] as [string, string, unknown?][]) {
        const r = await t.api(method, path, payload);
        texts.push([path, ids((JSON.parse(r.body) as { message: string }).message)]);
      }
      t.docker(['rm', '-f', 'pystyle']);
      views.push({
        config: keys(c.Config), hostConfig: keys(c.HostConfig), endpoint: keys(running.NetworkSettings.Networks.none), exec: keys(execInspect.ProcessConfig), texts,
      });
    }
    assert.deepEqual(views[0], views[1]);
  });

  test('changes of an untouched container are null on both', async () => {
    for (const t of targets) assert.deepEqual(await t.api('GET', '/containers/running/changes').then((r) => [r.status, r.body.trim()]), [200, 'null'], t.name);
  });
});

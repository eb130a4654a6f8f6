/**
 * The events stream: a scripted sequence of actions seen live (berth events
 * and the real docker events, both as child processes), replayed with
 * --since/--until and filters, daemon reload events, and a client that stops
 * reading while events keep coming.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, ROOT, TestDaemon } from './harness.js';

interface WireEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  status?: string;
  id?: string;
  from?: string;
  time: number;
  timeNano: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Is `wanted` a subsequence of `seen`, in order? */
function inOrder(seen: string[], wanted: string[]): boolean {
  let i = 0;
  for (const s of seen) if (s === wanted[i]) i++;
  return i === wanted.length;
}

describe('events', () => {
  let daemon: TestDaemon;
  const children: ChildProcess[] = [];
  let startNs = 0;
  let scriptEndNs = 0;
  let containerId = '';

  /** A CLI child writing to a file (not a pipe: tests block in spawnSync meanwhile). */
  const watch = (name: string, cmd: string, args: string[]) => {
    const file = join(daemon.dir, `${name}.out`);
    const fd = openSync(file, 'w');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, DOCKER_CONFIG: join(daemon.dir, 'docker-config') } });
    closeSync(fd);
    children.push(child);
    return { child, read: () => readFileSync(file, 'utf8') };
  };
  const berthCli = (args: string[]) => [join(ROOT, 'bin', 'berth'), '-H', daemon.host, ...args];
  const ok = (r: { code: number; stdout: string; stderr: string }) => {
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const replay = (args: string[]) => ok(daemon.berth(['events', '--since', String(startNs / 1e9), '--until', String(scriptEndNs / 1e9), '--format', '{{json .}}', ...args]))
    .split('\n').filter(Boolean).map((l) => JSON.parse(l) as WireEvent);

  before(async () => {
    daemon = await TestDaemon.start();
    ok(daemon.berth(['import', await busyboxRootfs(), 'evt:latest']));
  });
  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await daemon?.stop();
  });

  test('a scripted sequence is seen live by berth events and docker events, in order', async () => {
    startNs = Date.now() * 1e6;
    const berthLive = watch('berth-live', process.execPath, berthCli(['events', '--filter', 'type=container', '--format', '{{json .}}']));
    const dockerLive = DOCKER_CLI ? watch('docker-live', DOCKER_CLI, ['-H', daemon.host, 'events', '--filter', 'container=evt1']) : undefined;
    // Idle past the server's keep-alive timeout: an open events stream must stay open.
    await sleep(6000);
    containerId = ok(daemon.berth(['run', '-d', '--name', 'evt1', '--label', 'suite=events', 'evt:latest', 'sleep', '300']));
    ok(daemon.berth(['pause', 'evt1']));
    ok(daemon.berth(['unpause', 'evt1']));
    ok(daemon.berth(['top', 'evt1']));
    ok(daemon.berth(['exec', 'evt1', 'true']));
    ok(daemon.berth(['stop', '-t', '1', 'evt1']));
    ok(daemon.berth(['rm', 'evt1']));
    await waitFor('destroy in berth events', () => berthLive.read().includes('"destroy"'));
    const seen = berthLive.read().split('\n').filter(Boolean).map((l) => JSON.parse(l) as WireEvent);
    const actions = seen.map((e) => e.Action);
    assert.ok(inOrder(actions, ['create', 'start', 'pause', 'unpause', 'top', 'exec_create: true', 'exec_start: true', 'exec_die', 'kill', 'die', 'stop', 'destroy']), actions.join(', '));
    const create = seen.find((e) => e.Action === 'create')!;
    assert.equal(create.Actor.ID, containerId);
    assert.deepEqual(create.Actor.Attributes, { image: 'evt:latest', name: 'evt1', suite: 'events' });
    assert.equal(create.status, 'create');
    assert.equal(create.id, containerId);
    assert.equal(create.from, 'evt:latest');
    assert.equal(seen.find((e) => e.Action === 'kill')!.Actor.Attributes.signal, '15');
    assert.equal(seen.find((e) => e.Action === 'die')!.Actor.Attributes.exitCode, '137');
    if (dockerLive) {
      await waitFor('destroy in docker events', () => dockerLive.read().includes(' container destroy '));
      const lines = dockerLive.read().trim().split('\n');
      assert.match(lines[0]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) container create ${containerId} \\(image=evt:latest, name=evt1, suite=events\\)$`));
      assert.ok(inOrder(lines.map((l) => l.split(' ')[2]!), ['create', 'start', 'pause', 'unpause', 'kill', 'die', 'stop', 'destroy']), lines.join('\n'));
    }
  });

  test('volume, network and image actions are published', async () => {
    ok(daemon.berth(['volume', 'create', 'evtvol']));
    ok(daemon.berth(['network', 'create', 'evtnet']));
    ok(daemon.berth(['run', '--rm', '--network', 'evtnet', '-v', 'evtvol:/data', 'evt:latest', 'true']));
    ok(daemon.berth(['network', 'rm', 'evtnet']));
    ok(daemon.berth(['volume', 'rm', 'evtvol']));
    ok(daemon.berth(['tag', 'evt:latest', 'evt:other']));
    ok(daemon.berth(['rmi', 'evt:other']));
    await sleep(50);
    scriptEndNs = Date.now() * 1e6;
    const volume = replay(['--filter', 'type=volume']).map((e) => `${e.Action} ${e.Actor.ID}`);
    assert.ok(inOrder(volume, ['create evtvol', 'mount evtvol', 'unmount evtvol', 'destroy evtvol']), volume.join(', '));
    const network = replay(['--filter', 'network=evtnet']);
    assert.ok(inOrder(network.map((e) => e.Action), ['create', 'connect', 'disconnect', 'destroy']), network.map((e) => e.Action).join(', '));
    assert.equal(network[0]!.Actor.Attributes.name, 'evtnet');
    assert.equal(network[0]!.Actor.Attributes.type, 'bridge');
    assert.ok(network.find((e) => e.Action === 'connect')!.Actor.Attributes.container);
    // As moby: a tag event names the new reference; untag names the image by ID.
    const image = replay(['--filter', 'type=image']);
    const imageId = image[0]!.Actor.ID;
    assert.ok(inOrder(image.map((e) => `${e.Action} ${e.Actor.Attributes.name}`), ['tag evt:other', `untag ${imageId}`]), image.map((e) => e.Action).join(', '));
  });

  test('since/until replay the window and filters select within it', () => {
    const all = replay([]);
    assert.ok(all.length > 20);
    assert.ok(all.every((e) => e.timeNano >= startNs && e.timeNano <= scriptEndNs));
    const dies = replay(['--filter', 'event=die']);
    assert.ok(dies.length >= 2 && dies.every((e) => e.Action === 'die'));
    const byName = replay(['--filter', 'container=evt1', '--filter', 'event=start']);
    assert.deepEqual(byName.map((e) => [e.Action, e.Actor.ID]), [['start', containerId]]);
    const byLabel = replay(['--filter', 'label=suite=events', '--filter', 'event=destroy']);
    assert.deepEqual(byLabel.map((e) => e.Actor.ID), [containerId]);
    const byImage = replay(['--filter', 'image=evt', '--filter', 'type=container', '--filter', 'event=create']);
    assert.ok(byImage.some((e) => e.Actor.ID === containerId));
    const execs = replay(['--filter', 'event=exec_start']);
    assert.deepEqual(execs.map((e) => e.Action), ['exec_start: true']);
    // Relative --since: everything of the last hour, ending at --until.
    const relative = ok(daemon.berth(['events', '--since', '1h', '--until', String(scriptEndNs / 1e9), '--filter', 'event=destroy', '--filter', 'type=container']));
    assert.match(relative, new RegExp(`container destroy ${containerId} \\(image=evt:latest, name=evt1, suite=events\\)`));
    if (DOCKER_CLI) {
      const docker = ok(daemon.docker(['events', '--since', String(startNs / 1e9), '--until', String(scriptEndNs / 1e9), '--filter', 'event=stop', '--format', '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Status}}']));
      assert.equal(docker, 'container stop evt1 stop');
    }
  });

  test('unknown filter names pass (dockerd never validates them); reversed windows are refused as dockerd refuses them', async () => {
    const unknown = daemon.berth(['events', '--since', '1h', '--until', '0.5h', '--filter', 'colour=blue']);
    assert.equal(unknown.code, 0, unknown.stderr);
    const reversed = await daemon.api('GET', '/events?since=200&until=100');
    assert.equal(reversed.status, 400);
    assert.match(reversed.body, /`since` time \(200\) cannot be after `until` time \(100\)/);
  });

  test('SIGHUP publishes a daemon reload event with the reloaded settings', async () => {
    const listeners = () => Number(ok(daemon.berth(['info', '--format', '{{.NEventsListener}}'])));
    const before = listeners();
    const live = watch('reload', process.execPath, berthCli(['events', '--filter', 'type=daemon', '--format', '{{json .}}']));
    // The reload must happen after the client is listening (a fixed wait was too short on a loaded machine).
    await waitFor('the events client to connect', () => listeners() > before);
    writeFileSync(join(daemon.dir, 'daemon.json'), JSON.stringify({ labels: ['reloaded=yes'], 'live-restore': true }));
    process.kill(Number(readFileSync(join(daemon.dir, 'berthd.pid'), 'utf8')), 'SIGHUP');
    await waitFor('reload event', () => live.read().includes('"reload"'));
    const event = JSON.parse(live.read().trim().split('\n').at(-1)!) as WireEvent;
    assert.equal(event.Action, 'reload');
    assert.equal(event.Actor.Attributes['live-restore'], 'true');
    assert.equal(event.Actor.Attributes.debug, 'false');
    assert.equal(event.Actor.Attributes.labels, '[reloaded=yes]');
    assert.ok(event.Actor.Attributes.name);
    assert.equal(ok(daemon.berth(['info', '--format', '{{json .Labels}}'])), '["reloaded=yes"]');
    assert.ok(Number(ok(daemon.berth(['info', '--format', '{{.NEventsListener}}']))) >= 1, 'the live client counts as an events listener');
    live.child.kill('SIGTERM');
  });

  test('a client that stops reading does not hold the daemon or other clients back', async () => {
    // A container whose events are large (its labels ride along in every event).
    const labels = Array.from({ length: 40 }, (_, i) => ['--label', `l${i}=${'x'.repeat(1500)}`]).flat();
    ok(daemon.berth(['create', '--name', 'big0', ...labels, 'evt:latest', 'true']));
    const stalled = connect(daemon.socket);
    stalled.write('GET /events HTTP/1.1\r\nHost: berth\r\n\r\n');
    stalled.pause();
    const collected: string[] = [];
    const reader = request({ socketPath: daemon.socket, path: `/events?filters=${encodeURIComponent('{"event":{"rename":true}}')}` }, (res) => res.on('data', (d: Buffer) => collected.push(d.toString())));
    reader.end();
    await sleep(300);
    try {
      const renames = 120;
      for (let i = 0; i < renames; i++) {
        const r = await daemon.api('POST', `/containers/big${i}/rename?name=big${i + 1}`);
        assert.equal(r.status, 204, r.body);
      }
      const started = Date.now();
      assert.equal((await daemon.api('GET', '/_ping')).status, 200);
      assert.ok(Date.now() - started < 1000, 'ping answered promptly');
      await waitFor('every rename at the reading client', () => collected.join('').split('\n').filter(Boolean).length >= renames);
    } finally {
      stalled.destroy();
      reader.destroy();
    }
  });

  test('the history survives a berthd restart (events.log in the data root)', async () => {
    const before = replay(['--filter', 'type=container']).map((e) => `${e.Action} ${e.Actor.ID}`);
    assert.equal(await daemon.kill('SIGTERM'), 0);
    await daemon.launch();
    assert.deepEqual(replay(['--filter', 'type=container']).map((e) => `${e.Action} ${e.Actor.ID}`), before);
    // The large events of the slow-client test moved the first file aside once: the early events are in events.log.1.
    const onDisk = ['events.log.1', 'events.log'].map((f) => readFileSync(join(daemon.dataRoot, f), 'utf8')).join('');
    assert.ok(onDisk.includes(`"ID":"${containerId}"`));
  });
});

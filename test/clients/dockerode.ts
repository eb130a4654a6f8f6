/**
 * dockerode (npm) against berthd and a private dockerd 20.10, one table of
 * cases for both: the container lifecycle, hijacked exec and attach (dockerode
 * sends its options as a JSON body on the upgrade request), events, plugins,
 * swarm, a pull from a registry that is not there, and streams the client
 * drops. dockerode speaks unversioned paths, so each daemon answers at its own
 * newest API version.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Duplex, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import Docker from 'dockerode';
import type { Target } from './targets.js';

const NOT_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Splits a multiplexed (non-tty) stream into its stdout and stderr. */
function demux(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (let at = 0; at + 8 <= buf.length;) {
    const size = buf.readUInt32BE(at + 4);
    const payload = buf.subarray(at + 8, at + 8 + size).toString();
    if (buf[at] === 2) out.stderr += payload;
    else out.stdout += payload;
    at += 8 + size;
  }
  return out;
}

/** Everything a stream gives until it ends. */
function collect(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('close', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** Reads a stream until what it gave satisfies `done`, without ending it. */
function readUntil(stream: Readable, done: (seen: Buffer) => boolean, what: string, ms = 30_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let seen = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`timed out waiting for ${what}; got ${JSON.stringify(seen.toString())}`)), ms);
    const onData = (c: Buffer) => {
      seen = Buffer.concat([seen, c]);
      if (done(seen)) finish();
    };
    const onEnd = () => finish(new Error(`stream ended before ${what}; got ${JSON.stringify(seen.toString())}`));
    function finish(err?: Error) {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('end', onEnd);
      if (err) reject(err);
      else resolve(seen);
    }
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/** What a refused call gives a dockerode user: the status and the daemon's message. */
async function refusal(call: () => Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call();
  } catch (err) {
    const e = err as { statusCode?: number; json?: { message?: string } | Buffer | null; message: string };
    const json = e.json && !Buffer.isBuffer(e.json) ? e.json : undefined;
    return { status: e.statusCode ?? -1, message: json?.message ?? e.message };
  }
  throw new Error('the call was not refused');
}

async function sleeper(docker: Docker, extra: Docker.ContainerCreateOptions = {}): Promise<Docker.Container> {
  const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sleep', '300'], ...extra });
  await container.start();
  return container;
}

async function withSleeper(docker: Docker, body: (c: Docker.Container) => Promise<void>, extra: Docker.ContainerCreateOptions = {}): Promise<void> {
  const container = await sleeper(docker, extra);
  try {
    await body(container);
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** The daemon still answers and the container is still running. */
async function stillServing(docker: Docker, container: Docker.Container): Promise<void> {
  assert.equal((await docker.ping()).toString(), 'OK');
  assert.equal((await container.inspect()).State.Status, 'running');
}

/** dockerode's everyday calls and issue 13's behaviours, against one target. */
export function dockerodeCases(target: () => Target): void {
  describe('dockerode', () => {
    const client = () => new Docker({ socketPath: target().socket });

    test('createContainer, start, wait, logs split by stream, remove', async () => {
      const docker = client();
      const container = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 2'], HostConfig: { NetworkMode: 'none' } });
      try {
        await container.start();
        assert.deepEqual(await container.wait(), { Error: null, StatusCode: 2 });
        const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
        assert.deepEqual(demux(logs), { stdout: 'out\n', stderr: 'err\n' });
      } finally {
        await container.remove({ force: true });
      }
      assert.equal((await refusal(() => container.inspect())).status, 404);
      assert.deepEqual(await refusal(() => docker.getContainer('nosuch').inspect()), { status: 404, message: 'No such container: nosuch' });
    });

    test('exec with hijack: stdin carries only what is written after the upgrade, never the JSON options', async () => {
      const docker = client();
      await withSleeper(docker, async (container) => {
        const exec = await container.exec({ Cmd: ['cat'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
        const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
        const output = collect(stream);
        stream.end('typed\n');
        assert.deepEqual(demux(await output), { stdout: 'typed\n', stderr: '' });
        const inspected = await exec.inspect();
        assert.equal(inspected.ExitCode, 0);
      });
    });

    test('exec with Tty: one raw stream, no multiplexing headers', async () => {
      const docker = client();
      await withSleeper(docker, async (container) => {
        const exec = await container.exec({ Cmd: ['sh', '-c', 'echo out; echo err >&2'], Tty: true, AttachStdout: true, AttachStderr: true });
        const output = await collect((await exec.start({ hijack: true, stdin: false, Tty: true })) as Duplex);
        assert.equal(output.toString(), 'out\r\nerr\r\n');
      });
    });

    test('attach with hijack to a container with open stdin: echoed input, not the JSON options', async () => {
      const docker = client();
      await withSleeper(docker, async (container) => {
        const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as Duplex;
        stream.write('line one\n');
        const seen = await readUntil(stream, (b) => demux(b).stdout.includes('line one\n'), 'the echoed line');
        assert.deepEqual(demux(seen), { stdout: 'line one\n', stderr: '' });
        stream.destroy();
        await stillServing(docker, container);
      }, { Cmd: ['cat'], OpenStdin: true, AttachStdin: true, StdinOnce: false });
    });

    test('getEvents filtered by label: create, start, die of a container, in order', async () => {
      const docker = client();
      const label = `clients-events-${randomBytes(4).toString('hex')}`;
      const events = (await docker.getEvents({ filters: { label: [label], type: ['container'] } })) as Readable;
      try {
        const container = await docker.createContainer({ Image: 'busybox', Cmd: ['true'], Labels: { [label]: '1' }, HostConfig: { NetworkMode: 'none' } });
        await container.start();
        const lines = await readUntil(events, (b) => b.toString().includes('"die"'), 'the die event');
        const actions = lines.toString().trim().split('\n').map((l) => JSON.parse(l) as { status: string; id: string; Actor: { Attributes: Record<string, string> } });
        assert.deepEqual(actions.map((e) => e.status), ['create', 'start', 'die']);
        assert.ok(actions.every((e) => e.id === container.id && e.Actor.Attributes[label] === '1'));
        await container.remove();
      } finally {
        events.destroy();
      }
      assert.equal((await docker.ping()).toString(), 'OK');
    });

    test('listPlugins is [] (GET /plugins 200)', async () => {
      assert.deepEqual(await client().listPlugins(), []);
    });

    test('swarm calls outside a swarm: 503 "not a swarm manager"', async () => {
      const docker = client();
      const manager = { status: 503, message: NOT_MANAGER };
      assert.deepEqual(await refusal(() => docker.swarmInspect()), manager);
      assert.deepEqual(await refusal(() => docker.listServices()), manager);
      assert.deepEqual(await refusal(() => docker.listNodes()), manager);
      assert.deepEqual(await refusal(() => docker.listTasks()), manager);
      assert.deepEqual(await refusal(() => docker.listSecrets()), manager);
    });

    test('pull from a registry that is not there: HTTP 500 naming the refused connection', async () => {
      // Port 1 on loopback: nothing listens there, and loopback registries are plain HTTP.
      const refused = await refusal(() => client().pull('127.0.0.1:1/nosuch:latest'));
      assert.equal(refused.status, 500, refused.message);
      assert.match(refused.message, /127\.0\.0\.1:1.*connect(ion)? refused/);
    });
  });
}

/** dockerode clients that drop streams: declared after every other client's cases. */
export function dockerodeGoingAway(target: () => Target): void {
  const client = () => new Docker({ socketPath: target().socket });
  test('dockerode: streams the client drops (exec output, logs -f, stats, events) leave the daemon answering', async () => {
    const docker = client();
    await withSleeper(docker, async (container) => {
      const exec = await container.exec({ Cmd: ['sh', '-c', 'yes | head -c 3000000'], AttachStdout: true, AttachStderr: true });
      const execStream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
      await readUntil(execStream, (b) => b.length > 1000, 'some exec output');
      execStream.destroy();
      await stillServing(docker, container);

      const logs = (await container.logs({ follow: true, stdout: true, stderr: true })) as unknown as Readable;
      await readUntil(logs, (b) => b.toString().includes('up'), 'the first log line');
      logs.destroy();
      await stillServing(docker, container);

      const stats = (await container.stats({ stream: true })) as unknown as Readable;
      await readUntil(stats, (b) => b.includes('\n'), 'one stats sample');
      stats.destroy();
      await stillServing(docker, container);

      const events = (await docker.getEvents()) as Readable;
      events.destroy();
      await stillServing(docker, container);
    }, { Cmd: ['sh', '-c', 'echo up; exec sleep 300'] });
  });
}

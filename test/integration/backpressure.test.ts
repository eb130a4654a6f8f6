/**
 * A client that stops reading holds the writer back, not berthd's memory
 * (issue 13 §1c): attach and exec output is read from the container only as
 * fast as the client takes it, as dockerd's copy blocks on a slow client and
 * the container then blocks on its write.
 *
 * Each case runs `yes` (hundreds of MB/s when nothing holds it back) behind a
 * client that reads the response head and then nothing. It waits until `yes`
 * uses no more CPU (blocked in write(2)) and checks berthd's resident memory
 * grew by less than LIMIT; then the client reads MORE bytes, several times
 * LIMIT, with the memory still bounded (a tty passes a few MB/s at best, under
 * dockerd too: there the reading only shows the output flows again); then it
 * closes, and berthd's fds and conmon processes are back to what they were.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { tarOf } from './distribution-helpers.js';
import { busyboxRootfs, conmonCount, TestDaemon, waitForValue } from './harness.js';

const MiB = 1 << 20;
const LIMIT = 64 * MiB;
const MORE = 256 * MiB;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process, bytes. */
function rss(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** CPU time a process has used, clock ticks (utime + stime). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Sends a raw request; resolves with the socket once the response head is in, paused, the rest of what came unread in it. */
function openStream(socketPath: string, request: string | Buffer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () => socket.write(request));
    let head = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      head = Buffer.concat([head, d]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.pause();
      assert.match(head.toString('latin1'), /^HTTP\/1\.1 (101|200)/);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Reads `bytes` from the socket, sampling `pid`'s memory meanwhile; resolves with the highest RSS seen. */
function readWhileSampling(socket: Socket, bytes: number, pid: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    let peak = rss(pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
    const timer = setTimeout(() => done(new Error(`read only ${got} of ${bytes} bytes`)), 120_000);
    const onData = (d: Buffer) => {
      got += d.length;
      if (got >= bytes) done();
    };
    const done = (err?: Error) => {
      clearInterval(sampler);
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      peak = Math.max(peak, rss(pid));
      if (err) reject(err);
      else resolve(peak);
    };
    socket.on('data', onData);
    socket.once('close', () => done(new Error(`the stream ended after ${got} bytes`)));
    socket.resume();
  });
}

describe('a client that stops reading', () => {
  let daemon: TestDaemon;
  let pid = 0;
  let box = '';
  const created: string[] = [];

  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const text = body === undefined ? '' : JSON.stringify(body);
    const r = await fetchOverSocket(daemon.socket, method, path, text);
    return { status: r.status, json: r.body ? JSON.parse(r.body) : null };
  };

  const fdCount = () => readdirSync(`/proc/${pid}/fd`).length;
  const conmons = () => conmonCount(daemon.dir);

  before(async () => {
    daemon = await TestDaemon.start();
    pid = Number(readFileSync(join(daemon.dir, 'berthd.pid'), 'utf8'));
    const imported = daemon.docker(['import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest']);
    assert.equal(imported.code, 0, imported.stderr);
    const run = daemon.docker(['run', '-d', 'busybox', 'sleep', '100000']);
    assert.equal(run.code, 0, run.stderr);
    box = run.stdout.trim();
    created.push(box);
  });
  after(async () => {
    if (created.length) daemon?.docker(['rm', '-f', ...created]);
    await daemon?.stop();
  });

  /**
   * The common part: `start` opens the stream and names the process writing
   * into it; the client reads nothing until that process is blocked, then
   * MORE bytes, then closes.
   */
  async function stall(start: () => Promise<{ socket: Socket; writer: number }>, o: { more: number; boundWhileReading?: boolean; after?: () => Promise<void> }): Promise<void> {
    const fdsBefore = fdCount();
    const conmonsBefore = conmons();
    const rssBefore = rss(pid);
    const { socket, writer } = await start();
    socket.on('error', () => undefined);
    try {
      let last = cpuTicks(writer);
      let still = 0;
      let peak = rssBefore;
      await waitForValue('the writer to block on its write', async () => {
        await sleep(300);
        peak = Math.max(peak, rss(pid));
        const now = cpuTicks(writer);
        still = now === last ? still + 1 : 0;
        last = now;
        return still >= 3 ? true : undefined;
      }, 60_000);
      assert.ok(peak - rssBefore < LIMIT, `berthd grew by ${((peak - rssBefore) / MiB).toFixed(1)} MiB while the client read nothing`);
      const readingPeak = await readWhileSampling(socket, o.more, pid);
      if (o.boundWhileReading !== false) assert.ok(readingPeak - rssBefore < LIMIT, `berthd grew by ${((readingPeak - rssBefore) / MiB).toFixed(1)} MiB while ${o.more / MiB} MiB passed`);
    } finally {
      socket.destroy();
    }
    await o.after?.();
    await waitForValue('fds and conmons back', async () => (fdCount() <= fdsBefore && conmons() <= conmonsBefore ? true : undefined), 30_000)
      .catch((err: Error) => assert.fail(`${err.message}: fds ${fdCount()} (was ${fdsBefore}), conmons ${conmons()} (was ${conmonsBefore})`));
  }

  for (const tty of [false, true]) {
    test(`exec of yes${tty ? ' with a tty' : ''}: the process waits for the client; closing kills it`, async () => {
      let execId = '';
      await stall(async () => {
        const created = await api('POST', `/containers/${box}/exec`, { Cmd: ['yes'], AttachStdout: true, AttachStderr: true, Tty: tty });
        assert.equal(created.status, 201, JSON.stringify(created.json));
        execId = created.json.Id;
        const body = JSON.stringify({ Detach: false, Tty: tty });
        const socket = await openStream(daemon.socket, upgradeRequest(`/exec/${execId}/start`, body));
        const running = await waitForValue('the exec pid', async () => (await api('GET', `/exec/${execId}/json`)).json.Pid || undefined);
        return { socket, writer: running };
      }, {
        more: tty ? 4 * MiB : MORE,
        after: () => waitForValue('the exec to be killed', async () => ((await api('GET', `/exec/${execId}/json`)).json.Running ? undefined : true)).then(() => undefined),
      });
    });
  }

  test('attach to a container running yes: it waits for the client; the client closing detaches', async () => {
    const run = await api('POST', '/containers/create', { Image: 'busybox', Cmd: ['yes'], HostConfig: { LogConfig: { Type: 'none', Config: {} } } });
    assert.equal(run.status, 201, JSON.stringify(run.json));
    const id: string = run.json.Id;
    created.push(id);
    await stall(async () => {
      // Attached before the start, as docker run does: nothing the container writes goes by unread.
      const socket = await openStream(daemon.socket, upgradeRequest(`/containers/${id}/attach?stream=1&stdout=1&stderr=1`, ''));
      assert.equal((await api('POST', `/containers/${id}/start`)).status, 204);
      const writer = (await api('GET', `/containers/${id}/json`)).json.State.Pid as number;
      return { socket, writer };
    }, {
      more: MORE,
      after: async () => {
        assert.equal((await api('GET', `/containers/${id}/json`)).json.State.Running, true, 'a detached client leaves the container running');
        assert.equal((await api('DELETE', `/containers/${id}?force=1`)).status, 204);
      },
    });
  });
  test('build whose RUN runs yes: the step waits for the client; closing cancels the build and removes its container', async () => {
    const context = await tarOf({ Dockerfile: 'FROM busybox\nRUN yes\n' });
    const before = new Set((await api('GET', '/containers/json?all=1')).json.map((c: { Id: string }) => c.Id));
    const stepContainer = async () => (await api('GET', '/containers/json?all=1')).json.find((c: { Id: string; State: string }) => !before.has(c.Id) && c.State === 'running')?.Id as string | undefined;
    await stall(async () => {
      const head = `POST /build?rm=0 HTTP/1.1\r\nHost: d\r\nContent-Type: application/x-tar\r\nContent-Length: ${context.length}\r\n\r\n`;
      const socket = await openStream(daemon.socket, Buffer.concat([Buffer.from(head), context]));
      const id = await waitForValue('the RUN container', stepContainer, 60_000);
      const writer = (await api('GET', `/containers/${id}/json`)).json.State.Pid as number;
      return { socket, writer };
    }, {
      // Framing turns every chunk into short-lived strings (decoded text, its JSON) at the pace of the
      // transfer, which V8 collects lazily: under load RSS then grows with garbage while data flows.
      // What this case checks is the held-back phase above (bounded while the client reads nothing) and
      // that the flow resumes; retention would show there, since nothing is collected from a stuck stream.
      // So it reads only enough to see the flow resume: framed output crawls on a loaded machine.
      more: LIMIT / 2,
      boundWhileReading: false,
      // The kill, the exit and the removal: several seconds each when the host is loaded.
      after: () => waitForValue('the build container to go', async () => {
        const all: Array<{ Id: string }> = (await api('GET', '/containers/json?all=1')).json;
        return all.every((c) => before.has(c.Id)) ? true : undefined;
      }, 120_000).then(() => undefined),
    });
  });
});

function upgradeRequest(path: string, body: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** One request with Connection: close; the body is read to the end (dechunked). */
function fetchOverSocket(socketPath: string, method: string, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath, () =>
      socket.write(`${method} ${path} HTTP/1.1\r\nHost: d\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      const at = raw.indexOf('\r\n\r\n');
      const head = raw.subarray(0, at).toString('latin1');
      let rest: Buffer = raw.subarray(at + 4);
      if (/transfer-encoding: chunked/i.test(head)) rest = dechunk(rest);
      resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), body: rest.toString() });
    });
  });
}

function dechunk(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; ;) {
    const eol = raw.indexOf('\r\n', at);
    const size = parseInt(raw.subarray(at, eol).toString(), 16);
    if (!size) return Buffer.concat(parts);
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 4 + size;
  }
}

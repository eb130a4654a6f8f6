/**
 * The userland proxy of published ports, through berthd and the docker CLI:
 * large transfers both ways arrive intact, a client's half-close reaches the
 * container (which answers only after it), and berthd holds no more fds once
 * many proxied connections are over. Traffic goes to 127.0.0.1 only, which
 * only the proxy serves (loopback never passes the DNAT rules).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxRootfs, DOCKER_CLI, TestDaemon, waitForValue } from './harness.js';

const BIG = 64 << 20;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** Sends `upload`, shuts down the sending side, and resolves with everything received up to the server's EOF. */
function exchange(port: number, upload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    socket.end(upload);
  });
}

describe('published ports through the userland proxy', { skip: !DOCKER_CLI && 'docker CLI not installed', timeout: 600_000 }, () => {
  let daemon: TestDaemon;
  const docker = (...args: string[]) => daemon.docker(args);
  let data = '';
  const big = randomBytes(BIG);
  const ports = { both: 0, hash: 0 };
  const berthdFds = () => readdirSync(`/proc/${readFileSync(join(daemon.dir, 'berthd.pid'), 'utf8').trim()}/fd`).length;

  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'berth-proxy-'));
    await writeFile(join(data, 'big'), big);
    daemon = await TestDaemon.start();
    assert.equal(docker('import', '-c', 'CMD ["sh"]', await busyboxRootfs(), 'busybox:latest').code, 0);
    // Port 80 answers with the upload's hash (after EOF: only a passed-on half-close lets it answer) and then the big file; port 81 with the hash only.
    const run = docker('run', '-d', '--name', 'relayed', '-p', '127.0.0.1::80', '-p', '127.0.0.1::81', '-v', `${data}:/data:ro`, 'busybox',
      'sh', '-c', 'nc -ll -p 81 -e sha256sum & exec nc -ll -p 80 -e sh -c "sha256sum; cat /data/big"');
    assert.equal(run.code, 0, run.stderr);
    const published = docker('port', 'relayed').stdout;
    ports.both = Number(/^80\/tcp -> 127\.0\.0\.1:(\d+)$/m.exec(published)?.[1]);
    ports.hash = Number(/^81\/tcp -> 127\.0\.0\.1:(\d+)$/m.exec(published)?.[1]);
    // The servers come up after the container starts: until then the proxy's upstream connect is refused and the client closed.
    const hello = Buffer.from('hello\n');
    for (const port of [ports.both, ports.hash]) {
      await waitForValue(`nc on ${port}`, async () => ((await exchange(port, hello).catch(() => Buffer.alloc(0))).length > 0 ? true : undefined));
    }
  });
  after(async () => {
    await daemon?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  test('64 MiB go up, the half-close reaches the container, and 64 MiB come back intact', async () => {
    const upload = randomBytes(BIG);
    const reply = await exchange(ports.both, upload);
    const newline = reply.indexOf('\n');
    assert.equal(reply.subarray(0, newline).toString(), `${sha256(upload)}  -`);
    const download = reply.subarray(newline + 1);
    assert.equal(download.length, BIG);
    assert.equal(sha256(download), sha256(big));
  });

  test('berthd holds no more fds after many proxied connections', async () => {
    const baseline = berthdFds();
    // One after the other: busybox nc listens with a backlog of 1 and resets connections beyond it, whichever proxy is in front.
    for (let i = 0; i < 50; i++) {
      const upload = Buffer.from(`connection ${i}\n`);
      assert.equal((await exchange(ports.hash, upload)).toString(), `${sha256(upload)}  -\n`);
    }
    // Each relay closes its sockets once both sides are done, on its own time: wait for it.
    await waitForValue('berthd back to its fds', async () => (berthdFds() <= baseline ? true : undefined))
      .catch((err: Error) => assert.fail(`${err.message}: ${berthdFds()} fds, was ${baseline}`));
  });
});

/**
 * A container's live stats and processes. GET …/stats streams one JSON line
 * per engine sample (about one a second), already reduced to the numbers the
 * charts draw; GET …/top is the engine's process list.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { readJsonMessages, type StatsSample } from '../../client/index.js';
import { blockIo, cpuPercent, memoryUsage, networkIo } from '../../client/stats-math.js';
import type { StatsPoint } from '../shared/types.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sendJson, type Router } from './http.js';

const BASE = '/api/hosts/:host/containers/:id';

export function statsRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('GET', `${BASE}/stats`, async ({ req, res, params }) => {
    guard.require(req, 'viewer');
    const client = hosts.get(params.host!).streamClient();
    try {
      const body = await client.containerStats(params.id!, true);
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store' });
      res.flushHeaders();
      await copyStats(body, res);
    } finally {
      client.close();
    }
  });
  r.on('GET', `${BASE}/top`, async ({ req, res, params }) => {
    guard.require(req, 'viewer');
    sendJson(res, 200, await hosts.get(params.host!).engine().topContainer(params.id!));
  });
}

async function copyStats(body: Readable, res: ServerResponse): Promise<void> {
  const stop = () => body.destroy();
  res.once('close', stop);
  try {
    for await (const sample of readJsonMessages(body)) res.write(`${JSON.stringify(statsPoint(sample as unknown as StatsSample))}\n`);
  } catch {
    // The browser went away (or the engine did): nothing more to send.
  } finally {
    res.off('close', stop);
    res.end();
  }
}

export function statsPoint(sample: StatsSample): StatsPoint {
  const net = networkIo(sample);
  const block = blockIo(sample);
  return {
    time: Date.parse(sample.read) || Date.now(),
    cpuPercent: cpuPercent(sample),
    memory: memoryUsage(sample),
    memoryLimit: sample.memory_stats.limit ?? 0,
    netRx: net.rx,
    netTx: net.tx,
    blockRead: block.read,
    blockWrite: block.write,
    pids: sample.pids_stats?.current ?? 0,
  };
}

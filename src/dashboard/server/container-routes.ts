/**
 * One container's API: inspect, actions (operator and up), and logs streamed
 * as plain text (followed until the browser lets go, or as a download).
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { Demuxer } from '../../client/index.js';
import { invalid, isEngineError } from '../../lib/errors.js';
import { CONTAINER_ACTIONS, type ContainerAction } from '../shared/types.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sendJson, type Router } from './http.js';

const BASE = '/api/hosts/:host/containers/:id';

export function containerRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('GET', BASE, async ({ req, res, params }) => {
    guard.require(req, 'viewer');
    sendJson(res, 200, (await hosts.get(params.host!).engine().inspectContainer(params.id!)).value);
  });
  r.on('POST', `${BASE}/:action`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    await containerAction(hosts, params.host!, params.id!, params.action!);
    sendJson(res, 200, {});
  });
  r.on('GET', `${BASE}/logs`, async ({ req, res, params, url }) => {
    guard.require(req, 'viewer');
    const q = url.searchParams;
    const tail = q.get('tail') ?? '500';
    if (tail !== 'all' && !/^\d+$/.test(tail)) throw invalid('tail must be a number or "all"');
    const client = hosts.get(params.host!).streamClient();
    try {
      const inspect = (await client.inspectContainer(params.id!)).value as { Name?: string; Config?: { Tty?: boolean } };
      const follow = q.get('follow') === '1';
      const body = await client.containerLogs(params.id!, { follow, tail, timestamps: q.get('timestamps') === '1' });
      const name = (inspect.Name ?? params.id!).replace(/^\//, '').replace(/[^\w.-]/g, '_');
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
        ...(q.get('download') === '1' ? { 'Content-Disposition': `attachment; filename="${name}.log"` } : {}),
      });
      res.flushHeaders();
      await copyLogs(body, res, inspect.Config?.Tty === true);
    } finally {
      client.close();
    }
  });
}

/** Copies a logs stream (raw for a TTY, else stdcopy frames) to the response until either side ends. */
async function copyLogs(body: Readable, res: ServerResponse, tty: boolean): Promise<void> {
  const stop = () => body.destroy();
  res.once('close', stop);
  const demuxer = new Demuxer((stream, payload) => {
    if (stream === 1 || stream === 2) res.write(payload);
  });
  try {
    for await (const chunk of body) {
      if (tty) res.write(chunk as Buffer);
      else demuxer.push(chunk as Buffer);
    }
  } catch {
    // The browser went away (or the engine did): nothing more to send.
  } finally {
    res.off('close', stop);
    res.end();
  }
}

async function containerAction(hosts: HostManager, host: string, id: string, action: string): Promise<void> {
  if (!CONTAINER_ACTIONS.includes(action as ContainerAction)) throw invalid(`unknown action: ${action}`);
  const live = hosts.get(host);
  const client = live.engine();
  const run: Record<ContainerAction, () => Promise<unknown>> = {
    start: () => client.startContainer(id),
    stop: () => client.stopContainer(id),
    restart: () => client.restartContainer(id),
    kill: () => client.killContainer(id),
    pause: () => client.pauseContainer(id),
    unpause: () => client.unpauseContainer(id),
    remove: () => client.removeContainer(id, { force: true }),
  };
  try {
    await run[action as ContainerAction]();
  } catch (err) {
    // Starting a running container (or stopping a stopped one) is done already: 304 from the engine.
    if (!isEngineError(err, 'notModified')) throw err;
  }
  live.schedule('containers');
}

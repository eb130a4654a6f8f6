/**
 * "Run a container": create from the form, then start, as docker run -d
 * does (a container that fails to start stays created, and the engine's
 * reason is passed on).
 */
import type { RunForm, RunResult } from '../shared/operations.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { readJson, sendJson, type Router } from './http.js';
import { createRequest } from './run-spec.js';

export function runRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('POST', '/api/hosts/:host/run', async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const { name, body } = createRequest((await readJson(req)) as unknown as RunForm);
    const live = hosts.get(params.host!);
    const client = live.engine();
    const created = await client.createContainer(body, { name });
    try {
      await client.startContainer(created.Id);
    } finally {
      live.schedule('containers');
    }
    const result: RunResult = { id: created.Id, warnings: created.Warnings ?? [] };
    sendJson(res, 201, result);
  });
}

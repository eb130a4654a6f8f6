/**
 * Acting on one host's images: pull and push (the engine's progress stream
 * relayed line by line), tag, remove (the engine's refusal passed on as it
 * is), and history. Changing anything takes the operator role; reading the
 * history only a session.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { readJsonMessages, type BerthClient } from '../../client/index.js';
import { pullTarget, ReferenceError } from '../../client/reference.js';
import { invalid } from '../../lib/errors.js';
import type { HistoryRow } from '../shared/operations.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { readJson, sendJson, type Router } from './http.js';
import { copyLines, startLines } from './ndjson.js';

const HOST = '/api/hosts/:host/images';
const IMAGE = `${HOST}/:image`;

/** The reference in a request body, split as docker pull and push split it (`latest` by default). */
export function referenceOf(body: Record<string, unknown>, field = 'image'): { repo: string; tag: string } {
  const text = typeof body[field] === 'string' ? (body[field] as string).trim() : '';
  if (!text) throw invalid(`${field} is needed`);
  try {
    return pullTarget(text);
  } catch (err) {
    throw err instanceof ReferenceError ? invalid(`invalid reference format: ${err.message}`) : err;
  }
}

/**
 * Relays a pull's or push's progress to the browser line by line. The
 * transfer holds its stream open for as long as it takes: it gets a client of
 * its own. The registries view's pull goes through here too.
 */
export function relayProgress(hosts: HostManager, host: string, res: ServerResponse, open: (client: BerthClient) => Promise<Readable>): Promise<void> {
  return withStreamClient(hosts, host, async (client) => {
    const body = await open(client);
    startLines(res);
    await copyLines(res, readJsonMessages(body), () => body.destroy());
    hosts.get(host).schedule('summary');
  });
}

export function imageRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  const progress = (host: string, res: ServerResponse, open: (client: BerthClient) => Promise<Readable>) => relayProgress(hosts, host, res, open);
  r.on('POST', `${HOST}/pull`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const { repo, tag } = referenceOf(await readJson(req));
    await progress(params.host!, res, (client) => client.pullImage(repo, tag));
  });
  r.on('POST', `${IMAGE}/push`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const { repo, tag } = referenceOf({ image: params.image });
    await progress(params.host!, res, (client) => client.pushImage(repo, tag));
  });
  r.on('POST', `${IMAGE}/tag`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const { repo, tag } = referenceOf(await readJson(req), 'target');
    await hosts.get(params.host!).engine().tagImage(params.image!, `${repo}:${tag}`).catch((err: unknown) => {
      throw err instanceof ReferenceError ? invalid(err.message) : err;
    });
    sendJson(res, 201, { tagged: `${repo}:${tag}` });
  });
  r.on('DELETE', IMAGE, async ({ req, res, params, url }) => {
    guard.require(req, 'operator');
    const force = url.searchParams.get('force') === '1';
    sendJson(res, 200, await hosts.get(params.host!).engine().removeImage(params.image!, { force }));
  });
  r.on('GET', `${IMAGE}/history`, async ({ req, res, params }) => {
    guard.require(req, 'viewer');
    const history = await hosts.get(params.host!).engine().imageHistory(params.image!);
    const rows: HistoryRow[] = history.map((h) => ({ id: h.Id, created: h.Created, createdBy: h.CreatedBy, tags: h.Tags ?? [], size: h.Size, comment: h.Comment }));
    sendJson(res, 200, rows);
  });
}

export async function withStreamClient(hosts: HostManager, host: string, work: (client: BerthClient) => Promise<void>): Promise<void> {
  const client = hosts.get(host).streamClient();
  try {
    await work(client);
  } finally {
    client.close();
  }
}

/**
 * Compose projects: the list (from the live container rows) and up, down
 * and logs through `berth compose` (compose-cli.ts). `up` needs the config
 * files the containers' labels name, readable where the dashboard runs;
 * down and logs work from the labels alone.
 */
import { conflict, invalid, notFound } from '../../lib/errors.js';
import type { ComposeProject } from '../shared/extra-types.js';
import { composeProjects } from './compose-projects.js';
import { runCompose, spawnCompose } from './compose-cli.js';
import type { Guard } from './guard.js';
import type { HostManager } from './hosts.js';
import { sendJson, type Router } from './http.js';

const BASE = '/api/compose/:host/:project';

export function composeRoutes(r: Router<unknown>, guard: Guard, hosts: HostManager): void {
  r.on('GET', '/api/compose', async ({ req, res }) => {
    guard.require(req, 'viewer');
    sendJson(res, 200, await composeProjects(hosts.containers()));
  });
  r.on('POST', `${BASE}/up`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const project = await find(hosts, params.host!, params.project!);
    if (!project.configReadable) throw conflict(`cannot bring ${project.name} up from here: ${project.configProblem}`);
    const output = await runCompose(hosts.get(project.host).config, project, ['up', '-d']);
    hosts.get(project.host).schedule('containers');
    sendJson(res, 200, { output });
  });
  r.on('POST', `${BASE}/down`, async ({ req, res, params }) => {
    guard.require(req, 'operator');
    const project = await find(hosts, params.host!, params.project!);
    const output = await runCompose(hosts.get(project.host).config, { name: project.name }, ['down']);
    hosts.get(project.host).schedule('containers');
    sendJson(res, 200, { output });
  });
  r.on('GET', `${BASE}/logs`, async ({ req, res, params, url }) => {
    guard.require(req, 'viewer');
    const project = await find(hosts, params.host!, params.project!);
    const tail = url.searchParams.get('tail') ?? '200';
    if (tail !== 'all' && !/^\d+$/.test(tail)) throw invalid('tail must be a number or "all"');
    const follow = url.searchParams.get('follow') === '1' ? ['--follow'] : [];
    const child = spawnCompose(hosts.get(project.host).config, { name: project.name }, ['logs', '--no-color', '--tail', tail, ...follow]);
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.flushHeaders();
    // The browser letting go ends the command (a follow would run forever otherwise).
    res.once('close', () => child.kill('SIGTERM'));
    child.stdout!.pipe(res, { end: false });
    child.stderr!.pipe(res, { end: false });
    await new Promise((resolve) => child.once('close', resolve));
    res.end();
  });
}

async function find(hosts: HostManager, host: string, name: string): Promise<ComposeProject> {
  const live = hosts.get(host);
  const project = (await composeProjects(live.containers)).find((p) => p.name === name);
  if (!project) throw notFound(`no compose project ${name} on host ${host}`);
  return project;
}

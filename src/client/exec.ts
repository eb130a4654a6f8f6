/** Exec endpoints of the Engine API. */
import { pathSegment, type ApiClient } from './client.js';
import type { Hijacked } from './transport.js';
import type { ExecCreateRequest, ExecInspect } from './container-types.js';

export function createExec(api: ApiClient, container: string, body: ExecCreateRequest): Promise<{ Id: string }> {
  return api.requestJson('POST', `/containers/${pathSegment(container)}/exec`, { json: body });
}

/** Starts a detached exec: the daemon answers once the process runs. */
export async function startExecDetached(api: ApiClient, id: string, tty: boolean): Promise<void> {
  const res = await api.request('POST', `/exec/${pathSegment(id)}/start`, { json: { Detach: true, Tty: tty } });
  res.body.resume();
}

/** Starts an attached exec over a hijacked connection. */
export function startExecAttached(api: ApiClient, id: string, tty: boolean, consoleSize?: [number, number]): Promise<Hijacked> {
  return api.hijack('POST', `/exec/${pathSegment(id)}/start`, { json: { Detach: false, Tty: tty, ConsoleSize: consoleSize } });
}

export function inspectExec(api: ApiClient, id: string): Promise<ExecInspect> {
  return api.requestJson('GET', `/exec/${pathSegment(id)}/json`);
}

export async function resizeExec(api: ApiClient, id: string, height: number, width: number): Promise<void> {
  const res = await api.request('POST', `/exec/${pathSegment(id)}/resize`, { query: { h: height, w: width } });
  res.body.resume();
}

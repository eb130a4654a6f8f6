/**
 * Many API clients at once, each cycling one container through create →
 * start → inspect → logs → stop → rm over the Engine API (no CLI start-up in
 * the numbers): the total time for all cycles, and each step's median latency.
 * The container prints a line (for logs) and stops on SIGKILL at once (so
 * stop measures the daemon, not a grace period).
 */
import { request, Agent } from 'node:http';
import { median } from './measure.js';
import type { Row } from '../types.js';

export const STEPS = ['create', 'start', 'inspect', 'logs', 'stop', 'rm'] as const;
type Step = (typeof STEPS)[number];

export interface CycleOptions {
  clients: number;
  cyclesPerClient: number;
  /** The benches' names: the total, then one per step. */
  names: { total: string; step: (step: Step) => string };
}

const CREATE_BODY = JSON.stringify({
  Image: 'busybox', Cmd: ['sh', '-c', 'echo cycle; exec sleep 600'], StopSignal: 'SIGKILL', HostConfig: { NetworkMode: 'none' },
});

export async function cycleRows(subject: string, socketPath: string, options: CycleOptions): Promise<Row[]> {
  const times = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
  const start = performance.now();
  await Promise.all(Array.from({ length: options.clients }, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < options.cyclesPerClient; i++) await oneCycle(socketPath, agent, times);
    } finally {
      agent.destroy();
    }
  }));
  const total = performance.now() - start;
  const cycles = options.clients * options.cyclesPerClient;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return [
    { bench: options.names.total, subject, median_ms: round(total), runs: 1, note: `${cycles} cycles, ${round((cycles * 1000) / total)} cycles/s` },
    ...STEPS.map((s) => ({ bench: options.names.step(s), subject, median_ms: round(median(times.get(s)!)), runs: times.get(s)!.length })),
  ];
}

async function oneCycle(socketPath: string, agent: Agent, times: Map<Step, number[]>): Promise<void> {
  const api = (method: string, path: string, body?: string) => call(socketPath, agent, method, path, body);
  const timed = async <T>(step: Step, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const out = await fn();
    times.get(step)!.push(performance.now() - t0);
    return out;
  };
  const { Id: id } = JSON.parse(await timed('create', () => api('POST', '/containers/create', CREATE_BODY))) as { Id: string };
  await timed('start', () => api('POST', `/containers/${id}/start`));
  await timed('inspect', () => api('GET', `/containers/${id}/json`));
  await timed('logs', () => api('GET', `/containers/${id}/logs?stdout=1&stderr=1`));
  await timed('stop', () => api('POST', `/containers/${id}/stop`));
  await timed('rm', () => api('DELETE', `/containers/${id}`));
}

/** One request; rejects on a status of 400 or more. */
function call(socketPath: string, agent: Agent, method: string, path: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
    const req = request({ socketPath, agent, method, path: `/v1.41${path}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`));
        else resolve(text);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

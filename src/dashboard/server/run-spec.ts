/**
 * The "Run a container" form turned into an Engine API create request. Only
 * the form's shape is checked here; what the engine can judge (names, binds,
 * networks, the image) it judges, and the browser shows its error.
 */
import type { CreateContainerRequest, PortBinding } from '../../client/index.js';
import { invalid } from '../../lib/errors.js';
import { RESTART_POLICIES, type PortForm, type RunForm } from '../shared/operations.js';

/** Splits a command line into words as a POSIX shell would, without expansion: quotes group, backslash escapes. */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
    } else if (/\s/.test(ch)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '\\') {
      if (i + 1 >= text.length) throw invalid('the command ends with a lone backslash');
      word = (word ?? '') + text[++i];
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw invalid(`the command has an unclosed ${quote === '"' ? 'double' : 'single'} quote`);
  if (word !== undefined) words.push(word);
  return words;
}

function portNumber(text: string, what: string): number {
  const n = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!(n >= 1 && n <= 65535)) throw invalid(`${what} must be a number from 1 to 65535, not "${text}"`);
  return n;
}

function portBindings(ports: PortForm[]): Pick<CreateContainerRequest, 'ExposedPorts'> & { bindings: Record<string, PortBinding[]> } {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const p of ports) {
    const protocol = p.protocol ?? 'tcp';
    if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw invalid(`unknown protocol: ${String(protocol)}`);
    const key = `${portNumber(p.containerPort, 'the container port')}/${protocol}`;
    const hostPort = p.hostPort?.trim() ? String(portNumber(p.hostPort, 'the host port')) : '';
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp?.trim() ?? '', HostPort: hostPort });
  }
  return { ExposedPorts: exposed, bindings };
}

function limit(value: number | undefined, what: string): number {
  if (value === undefined || value === 0) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(`${what} must be a positive number`);
  return value;
}

const strings = (value: unknown, what: string): string[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`${what} must be a list of strings`);
  return (value as string[]).map((v) => v.trim()).filter(Boolean);
};

export function createRequest(form: RunForm): { name: string | undefined; body: CreateContainerRequest } {
  if (typeof form.image !== 'string' || !form.image.trim()) throw invalid('an image is needed');
  const env = strings(form.env, 'env');
  const bad = env.find((e) => e.startsWith('='));
  if (bad) throw invalid(`invalid environment variable: ${bad}`);
  const restart = form.restart ?? 'no';
  if (!RESTART_POLICIES.includes(restart)) throw invalid(`unknown restart policy: ${String(restart)}`);
  const retries = restart === 'on-failure' ? Math.trunc(limit(form.maxRetries, 'the maximum retry count')) : 0;
  const { ExposedPorts, bindings } = portBindings(form.ports ?? []);
  const cmd = form.command?.trim() ? splitCommand(form.command) : undefined;
  const memory = limit(form.memoryMiB, 'the memory limit');
  const cpus = limit(form.cpus, 'the CPU limit');
  const network = form.network?.trim() || undefined;
  const body: CreateContainerRequest = {
    Image: form.image.trim(),
    ...(cmd ? { Cmd: cmd } : {}),
    Env: env,
    ExposedPorts,
    HostConfig: {
      Binds: strings(form.volumes, 'volumes'),
      PortBindings: bindings,
      RestartPolicy: { Name: restart === 'no' ? '' : restart, MaximumRetryCount: retries },
      Memory: Math.round(memory * 1024 * 1024),
      NanoCpus: Math.round(cpus * 1e9),
      ...(network ? { NetworkMode: network } : {}),
    },
    NetworkingConfig: { EndpointsConfig: {} },
  };
  return { name: form.name?.trim() || undefined, body };
}

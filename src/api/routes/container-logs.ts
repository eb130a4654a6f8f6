import type { ServerResponse } from 'node:http';
import { invalid } from '../../lib/errors.js';
import type { ContainerService } from '../../engine/containers/types.js';
import { writeAll } from '../../lib/streams.js';
import { frame } from '../hijack.js';
import { boolParam, type ApiRequest } from '../request.js';
import { timestampNs } from './events.js';

/** GET /containers/{id}/logs: the log, multiplexed unless the container has a tty. */
export async function logsRoute(req: ApiRequest, res: ServerResponse, containers: ContainerService): Promise<void> {
  const q = req.query;
  const stdout = boolParam(q, 'stdout');
  const stderr = boolParam(q, 'stderr');
  if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
  const timestamps = boolParam(q, 'timestamps');
  // dockerd puts each message's log attributes ("k=v,…": the labels and env its log-opts name) and a
  // space before it. berth's drivers take no labels/env options, so the attributes are always empty.
  const details = boolParam(q, 'details') ? Buffer.from(' ') : undefined;
  const tailText = q.get('tail') ?? 'all';
  if (tailText !== 'all' && tailText !== '' && !/^\d+$/.test(tailText)) throw invalid(`invalid value for tail: ${tailText}`);
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const { tty, entries } = await containers.logs(req.params.id!, {
    follow: boolParam(q, 'follow'),
    since: timeParam(q.get('since')),
    until: timeParam(q.get('until')),
    tail: /^\d+$/.test(tailText) ? Number(tailText) : undefined,
    signal: abort.signal,
  });
  res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
  res.flushHeaders();
  try {
    for await (const entry of entries) {
      if ((entry.stream === 'stdout' && !stdout) || (entry.stream === 'stderr' && !stderr)) continue;
      const text = Buffer.concat([...(details ? [details] : []), entry.line, ...(entry.partial ? [] : [NEWLINE])]);
      const data = timestamps ? Buffer.concat([Buffer.from(`${rfc3339NanoFixed(entry.timestamp)} `), text]) : text;
      // A client that stops reading holds the reader here, not the daemon's memory; one that went away ends it.
      if (!(await writeAll(res, tty ? data : frame(entry.stream === 'stdout' ? 1 : 2, data)))) break;
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  }
  res.end();
}

const NEWLINE = Buffer.from('\n');

/**
 * conmon's log time (`…T10:00:00.123456789+00:00`, the host's offset) as
 * dockerd writes it (jsonmessage.RFC3339NanoFixed in UTC: nine digits, `Z`).
 */
export function rfc3339NanoFixed(time: string): string {
  const m = /^(.+T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  const fraction = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const utc = m[3] === 'Z' || m[3] === '+00:00' ? m[1] : new Date(`${m[1]}${m[3]}`).toISOString().slice(0, 19);
  return `${utc}.${fraction}Z`;
}

/** since/until: Unix seconds (with an optional fraction), as the docker CLI sends them, read as dockerd reads them (0: unset). */
function timeParam(value: string | null): Date | undefined {
  const ns = value === '0' ? undefined : timestampNs(value);
  return ns === undefined ? undefined : new Date(ns / 1e6);
}

import type { ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { invalid } from '../../lib/errors.js';
import type { ContainerService, StdioStreams } from '../../engine/containers/types.js';
import { frame, hijack, parseDetachKeys, pipeWithDetach, type RawConnection } from '../hijack.js';
import { boolParam, type ApiRequest } from '../request.js';

/** POST /containers/{id}/attach: the container's stdio over a hijacked connection. */
export async function attachRoute(req: ApiRequest, res: ServerResponse, containers: ContainerService): Promise<void> {
  const q = req.query;
  const options = {
    stdin: boolParam(q, 'stdin'),
    stdout: boolParam(q, 'stdout'),
    stderr: boolParam(q, 'stderr'),
    logs: boolParam(q, 'logs'),
    stream: boolParam(q, 'stream'),
  };
  let keys: Buffer;
  try {
    keys = parseDetachKeys(q.get('detachKeys'));
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const container = await containers.get(req.params.id!);
  const tty = !!container.config.Tty;
  const conn = hijack(req, res, tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
  if (options.logs) await replayLogs(containers, container.id, conn.output, tty, options);
  if (!options.stream) return conn.close();
  const streams = await containers.attach(container.id, options);
  connectStdio(conn, streams, tty, keys);
}

/** Copies stdio between a hijacked connection and a container or exec session; detaches on the key sequence. */
export function connectStdio(conn: RawConnection, streams: StdioStreams, tty: boolean, keys: Buffer, exited?: Promise<unknown>): void {
  let open = 0;
  let ended = false;
  // For exec, the client asks for the exit code as soon as the stream ends: end it only once the code is known.
  const finish = () => {
    if (--open > 0) return;
    ended = true;
    void (exited ?? Promise.resolve()).catch(() => undefined).then(() => conn.close());
  };
  const forward = (source: Readable | null, stream: 1 | 2) => {
    if (!source) return;
    open++;
    source.on('data', (chunk: Buffer) => conn.output.write(tty ? chunk : frame(stream, chunk)));
    source.once('end', finish);
    source.once('error', finish);
  };
  forward(streams.stdout, 1);
  forward(streams.stderr, 2);
  if (open === 0) open = 1; // nothing to forward: the connection lives until the client goes
  if (streams.stdin) {
    pipeWithDetach(conn.input, streams.stdin, keys, () => {
      ended = true;
      streams.close();
      conn.close();
    });
  } else {
    conn.input.resume();
  }
  conn.input.once('close', () => streams.close());
  // The output closing before the streams ended means the client went away (closed, reset, or its connection failed):
  // the attachment ends, and with it an exec nobody can see any more.
  conn.output.once('close', () => {
    if (!ended) streams.abandon?.();
    ended = true;
    streams.close();
  });
}

async function replayLogs(containers: ContainerService, id: string, out: Writable, tty: boolean, options: { stdout: boolean; stderr: boolean }): Promise<void> {
  const { entries } = await containers.logs(id, { follow: false });
  for await (const entry of entries) {
    if ((entry.stream === 'stdout' && !options.stdout) || (entry.stream === 'stderr' && !options.stderr)) continue;
    const data = entry.partial ? entry.line : Buffer.concat([entry.line, Buffer.from('\n')]);
    out.write(tty ? data : frame(entry.stream === 'stdout' ? 1 : 2, data));
  }
}

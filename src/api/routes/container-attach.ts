import type { ServerResponse } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { invalid } from '../../lib/errors.js';
import { writeAll } from '../../lib/streams.js';
import type { ContainerService, StdioStreams } from '../../engine/containers/types.js';
import { frame, hijack, parseDetachKeys, pipeWithDetach, type RawConnection } from '../hijack.js';
import { boolParam, versionLess, type ApiRequest } from '../request.js';
import { readUpgradeBody } from '../upgrade-body.js';

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
  // Whatever came with the request (dockerode sends its options as a JSON body) is not stdin.
  if (req.upgrade) await readUpgradeBody(req);
  // To a container not yet running, the attachment is made before the client hears back, so a start
  // it sends next cannot outrun it (the output would go to the log only).
  const early = options.stream && !container.state.Running ? await containers.attach(container.id, options) : null;
  const conn = hijack(req, res, streamType(tty, req.version));
  try {
    if (options.logs) await replayLogs(containers, container.id, conn.output, tty, options);
  } catch (err) {
    early?.close();
    throw err;
  }
  if (!options.stream) return conn.close();
  const streams = early ?? (await containers.attach(container.id, options));
  // Detach keys apply to a tty only, as moby's copyEscapable: other stdin is passed on byte for byte.
  connectStdio(conn, streams, tty, tty ? keys : Buffer.alloc(0));
}

/** dockerd names the multiplexed framing in the content type from API 1.42 on; older clients were told "raw" for both. */
export function streamType(tty: boolean, version: string): string {
  return tty || versionLess(version, '1.42') ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
}

/** Copies stdio between a hijacked connection and a container or exec session; detaches on the key sequence. */
export function connectStdio(conn: RawConnection, streams: StdioStreams, tty: boolean, keys: Buffer, exited?: Promise<unknown>, detachNote?: Buffer): void {
  let open = 0;
  let detached = false;
  let exitedYet = false;
  void exited?.then(() => (exitedYet = true), () => (exitedYet = true));
  // The client asks for the exit code (an exec's) or the state (a container's, when it read its output)
  // as soon as the stream ends: end it only once they are known.
  const finish = (outputEnded: boolean) => {
    if (--open > 0) return;
    const known = exited ?? (outputEnded ? streams.settled?.() : undefined);
    void (known ?? Promise.resolve()).catch(() => undefined).then(() => conn.close());
  };
  // A client that reads slower than the process writes holds the sources (and through them the process) back:
  // berthd buffers no more than the streams' high-water marks, as dockerd's copy blocks on a slow client.
  const sources: Readable[] = [];
  let held = false;
  const holdUntilDrained = () => {
    if (held) return;
    held = true;
    for (const s of sources) s.pause();
    conn.output.once('drain', () => {
      held = false;
      for (const s of sources) s.resume();
    });
  };
  const forward = (source: Readable | null, stream: 1 | 2) => {
    if (!source) return;
    open++;
    sources.push(source);
    source.on('data', (chunk: Buffer) => {
      if (!conn.output.write(tty ? chunk : frame(stream, chunk))) holdUntilDrained();
    });
    source.once('end', () => finish(true));
    source.once('error', () => finish(true));
  };
  forward(streams.stdout, 1);
  forward(streams.stderr, 2);
  if (open === 0) {
    // Nothing to forward (a stdin-only attachment): the connection lives until the client is done sending.
    open = 1;
    conn.input.once('end', () => finish(false));
  }
  if (streams.stdin) {
    pipeWithDetach(conn.input, streams.stdin, keys, () => {
      detached = true;
      if (detachNote) conn.output.write(tty ? detachNote : frame(1, detachNote));
      streams.close();
      conn.close();
    });
  } else {
    conn.input.resume();
  }
  // The connection closing (either side first: closed, reset, or failed) before the process exited and
  // without a detach means the client went away: the attachment ends, and with it an exec nobody can see any more.
  const clientGone = () => {
    if (!detached && !exitedYet) streams.abandon?.();
    streams.close();
  };
  conn.input.once('close', clientGone);
  conn.output.once('close', clientGone);
  // Gone already, while the process was being started: its 'close' came before anyone listened.
  if (conn.input.destroyed || conn.output.destroyed) clientGone();
}

async function replayLogs(containers: ContainerService, id: string, out: Writable, tty: boolean, options: { stdout: boolean; stderr: boolean }): Promise<void> {
  const { entries } = await containers.logs(id, { follow: false });
  for await (const entry of entries) {
    if ((entry.stream === 'stdout' && !options.stdout) || (entry.stream === 'stderr' && !options.stderr)) continue;
    const data = entry.partial ? entry.line : Buffer.concat([entry.line, Buffer.from('\n')]);
    // At the client's pace: a long log is not read into memory ahead of it.
    if (!(await writeAll(out, tty ? data : frame(entry.stream === 'stdout' ? 1 : 2, data)))) return;
  }
}

import { EngineError, invalid } from '../../lib/errors.js';
import type { ExecConfig } from '../../engine/containers/types.js';
import type { ApiBackends } from '../backends.js';
import type { Router } from '../router.js';
import { frame, hijack, parseDetachKeys } from '../hijack.js';
import { decodeBody, jsonBody, type ApiRequest } from '../request.js';
import { ExecConfig as ExecConfigType } from './body-types.js';
import { sendEmpty, sendJson } from '../respond.js';
import { readUpgradeBody } from '../upgrade-body.js';
import { parseJson } from '../../lib/compression.js';
import { connectStdio, streamType } from './container-attach.js';
import { sizeParams } from './containers.js';

interface ExecStartCheck {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

export function execRoutes(router: Router, { containers }: Pick<ApiBackends, 'containers'>): void {
  router.add('POST', '/containers/{id}/exec', async (req, res) => {
    const config = (await decodeBody<ExecConfig>(req, ExecConfigType))!;
    if (!config.Cmd?.length) throw invalid('No exec command specified');
    // As moby's ContainerExecCreate: a bad sequence is refused here, before anything runs, in its words
    // ("escape", not "detach" as attach says) and with its status (a plain error there, so 500).
    if (config.DetachKeys) parseKeys(config.DetachKeys, (text) => new EngineError('internal', `Invalid escape keys (${text}) provided`));
    sendJson(res, 201, { Id: await containers.execCreate(req.params.id!, config) });
  });

  router.add('POST', '/exec/{id}/start', async (req, res) => {
    const body = (await startBody(req)) ?? {};
    const id = req.params.id!;
    const record = await containers.execInspect(id);
    const options = { consoleSize: body.ConsoleSize ?? undefined };
    if (body.Detach) {
      await containers.execStart(id, { ...options, detach: true });
      sendEmpty(res, 200);
      return;
    }
    // As dockerd: the connection is taken over first, and the start request's Tty (not the exec's) picks the
    // framing the client reads; a failure to start is written into the stream, where the client prints it.
    const tty = !!body.Tty;
    const conn = hijack(req, res, streamType(tty, req.version));
    let started;
    try {
      started = await containers.execStart(id, { ...options, detach: false });
    } catch (err) {
      const message = Buffer.from(`${(err as Error).message}\r\n`);
      conn.output.write(tty ? message : frame(1, message));
      conn.close();
      return;
    }
    if (!started.streams) return conn.close();
    // Detach keys apply to a tty process only, as moby's copyEscapable: other stdin is passed on byte for byte.
    const keys = record.config.Tty ? parseKeys(record.config.DetachKeys) : Buffer.alloc(0);
    // dockerd ends a detached exec stream with the error its copy stopped on.
    connectStdio(conn, started.streams, tty, keys, started.exit, Buffer.from('exec attach failed: error on attach stdin: read escape sequence\r\n'));
  });

  router.add('POST', '/exec/{id}/resize', async (req, res) => {
    const { height, width } = sizeParams(req);
    await containers.execResize(req.params.id!, height, width);
    sendEmpty(res, 200);
  });

  router.add('GET', '/exec/{id}/json', async (req, res) => {
    const r = await containers.execInspect(req.params.id!);
    sendJson(res, 200, {
      CanRemove: false, ContainerID: r.containerId, DetachKeys: r.config.DetachKeys ?? '', ExitCode: r.exitCode,
      ID: r.id, OpenStderr: !!r.config.AttachStderr, OpenStdin: !!r.config.AttachStdin, OpenStdout: !!r.config.AttachStdout,
      ProcessConfig: { arguments: r.config.Cmd.slice(1), entrypoint: r.config.Cmd[0], privileged: !!r.config.Privileged, tty: !!r.config.Tty, ...(r.config.User ? { user: r.config.User } : {}) }, // user: omitempty
      Running: r.running, Pid: r.pid,
    });
  });
}

/** The start options: the request's body, also when it came with an upgrade (then it is never stdin). */
async function startBody(req: ApiRequest): Promise<ExecStartCheck | undefined> {
  if (!req.upgrade) return jsonBody<ExecStartCheck>(req, { optional: true });
  const raw = await readUpgradeBody(req);
  return raw.length > 0 ? parseJson<ExecStartCheck>(raw, 'request body') : undefined;
}


function parseKeys(spec: string | undefined, refuse = (text: string) => invalid(`Invalid detach keys (${text}) provided`)): Buffer {
  try {
    return parseDetachKeys(spec);
  } catch {
    throw refuse(spec ?? '');
  }
}

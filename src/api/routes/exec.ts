import { invalid } from '../../lib/errors.js';
import type { ExecConfig } from '../../engine/containers/types.js';
import type { ApiBackends } from '../backends.js';
import type { Router } from '../router.js';
import { hijack, parseDetachKeys } from '../hijack.js';
import { decodeBody, jsonBody } from '../request.js';
import { ExecConfig as ExecConfigType } from './body-types.js';
import { sendEmpty, sendJson } from '../respond.js';
import { connectStdio } from './container-attach.js';
import { sizeParams } from './containers.js';

export function execRoutes(router: Router, { containers }: Pick<ApiBackends, 'containers'>): void {
  router.add('POST', '/containers/{id}/exec', async (req, res) => {
    const config = (await decodeBody<ExecConfig>(req, ExecConfigType))!;
    if (!config.Cmd?.length) throw invalid('No exec command specified');
    if (config.DetachKeys) parseKeys(config.DetachKeys);
    sendJson(res, 201, { Id: await containers.execCreate(req.params.id!, config) });
  });

  router.add('POST', '/exec/{id}/start', async (req, res) => {
    const body = (await jsonBody<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>(req, { optional: true })) ?? {};
    const record = await containers.execInspect(req.params.id!);
    const started = await containers.execStart(req.params.id!, { detach: !!body.Detach, consoleSize: body.ConsoleSize ?? undefined });
    if (body.Detach || !started.streams) {
      sendEmpty(res, 200);
      return;
    }
    const tty = !!record.config.Tty;
    const conn = hijack(req, res, tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream');
    connectStdio(conn, started.streams, tty, parseKeys(record.config.DetachKeys), started.exit);
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
      ProcessConfig: { arguments: r.config.Cmd.slice(1), entrypoint: r.config.Cmd[0], privileged: !!r.config.Privileged, tty: !!r.config.Tty, user: r.config.User ?? '' },
      Running: r.running, Pid: r.pid,
    });
  });
}

function parseKeys(spec: string | undefined): Buffer {
  try {
    return parseDetachKeys(spec);
  } catch (err) {
    throw invalid((err as Error).message);
  }
}

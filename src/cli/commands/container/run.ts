/**
 * `berth run`: create (pulling if needed), attach before start, register the
 * exit wait before start (`condition=next-exit`, or `removed` with --rm, as
 * docker does so a fast exit is never missed), start, stream, and exit with
 * the container's code.
 */
import type { BerthClient, Hijacked } from '../../../client/index.js';
import type { CreateContainerRequest, WaitResponse } from '../../../client/container-types.js';
import { StatusError, write, type CommandContext, type CommandSpec } from '../../command.js';
import type { ParsedArgs } from '../../flags.js';
import { monitorTtySize, proxySignals, streamHijacked, type StreamEnd } from './attach-io.js';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from './create-flags.js';
import { prepareCreate, writeCidfile } from './prepare.js';
import { createWithPull } from './pull.js';
import { runDaemonFailure, runFailure } from './run-errors.js';

function checkRunFlags(ctx: CommandContext, { flags }: ParsedArgs): void {
  if (flags.detach && (flags.attach as string[]).length > 0) throw new StatusError('conflicting options: cannot specify both --attach and --detach', 1);
  if (!flags.detach && flags.interactive && flags.tty && !ctx.stdin.isTTY) throw runFailure('run', 'the input device is not a TTY', 1);
}

/** A detached run attaches nothing. */
function detachRequest(request: CreateContainerRequest): void {
  request.AttachStdin = false;
  request.AttachStdout = false;
  request.AttachStderr = false;
  request.StdinOnce = false;
}

export async function startDetached(ctx: CommandContext, client: BerthClient, id: string): Promise<number> {
  try {
    await client.startContainer(id);
  } catch (err) {
    throw runDaemonFailure(err, ctx.host);
  }
  await write(ctx.stdout, `${id}\n`);
  return 0;
}

/**
 * The attach and the exit wait, both in place before start, asked for at once
 * rather than one after the other: one round trip to the daemon instead of two
 * before the container starts. Whichever fails, the other is closed.
 */
async function attachAndWait(client: BerthClient, id: string, request: CreateContainerRequest, detachKeys: string | undefined): Promise<{ conn: Hijacked | undefined; exited: Promise<WaitResponse> }> {
  const attaching =
    request.AttachStdin || request.AttachStdout || request.AttachStderr
      ? client.attachContainer(id, { stdin: request.AttachStdin, stdout: request.AttachStdout, stderr: request.AttachStderr, detachKeys })
      : Promise.resolve(undefined);
  const [attached, waiting] = await Promise.allSettled([attaching, client.waitContainer(id, request.HostConfig.AutoRemove ? 'removed' : 'next-exit')]);
  if (waiting.status === 'fulfilled') waiting.value.result.catch(() => {});
  if (attached.status === 'rejected') throw attached.reason;
  if (waiting.status === 'rejected') {
    attached.value?.socket.destroy();
    throw waiting.reason;
  }
  return { conn: attached.value, exited: waiting.value.result };
}

/** Attach, wait, start, stream: the exit code is the container's. `compose run` shares it. */
export async function runAttached(ctx: CommandContext, client: BerthClient, id: string, request: CreateContainerRequest, parsed: ParsedArgs): Promise<number> {
  const { flags } = parsed;
  const detachKeys = (flags['detach-keys'] as string) || undefined;
  const tty = Boolean(request.Tty);
  const { conn, exited } = await attachAndWait(client, id, request, detachKeys);
  try {
    await client.startContainer(id);
  } catch (err) {
    conn?.socket.destroy();
    throw runDaemonFailure(err, ctx.host);
  }
  const stopResize = tty ? monitorTtySize(ctx.stdout, (h, w) => client.resizeContainer(id, h, w)) : () => {};
  const stopSignals = flags['sig-proxy'] && !tty ? proxySignals((signal) => client.killContainer(id, signal)) : () => {};
  let end: StreamEnd = 'ended';
  try {
    if (conn) end = await streamHijacked(conn, { tty, stdin: request.AttachStdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr, detachKeys });
  } finally {
    stopResize();
    stopSignals();
  }
  if (end === 'detached') return 0;
  const status = await exited;
  if (status.Error?.Message) throw runFailure('run', status.Error.Message);
  return status.StatusCode;
}

export const runCommand: CommandSpec = {
  path: 'container run',
  aliases: ['container run', 'run'],
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  flags: [...CONTAINER_FLAGS, ...RUN_ONLY_FLAGS],
  async run(ctx, parsed) {
    checkRunFlags(ctx, parsed);
    const prepared = prepareCreate(ctx, parsed, 'run');
    if (parsed.flags.detach) detachRequest(prepared.request);
    const client = await ctx.client();
    let id: string;
    try {
      const created = await createWithPull(ctx, client, prepared.request, { name: prepared.name, pull: prepared.pull, quiet: parsed.flags.quiet as boolean });
      for (const warning of created.Warnings ?? []) await write(ctx.stderr, `WARNING: ${warning}\n`);
      id = created.Id;
      writeCidfile(prepared.cidfile, id);
    } catch (err) {
      throw runDaemonFailure(err, ctx.host);
    }
    if (parsed.flags.detach) return startDetached(ctx, client, id);
    return runAttached(ctx, client, id, prepared.request, parsed);
  },
};

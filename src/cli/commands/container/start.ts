/**
 * `berth start`: plain starts print each name; with -a/-i it attaches first,
 * registers the exit wait, starts, streams and exits with the container's code.
 */
import type { BerthClient } from '../../../client/index.js';
import { StatusError, write, type CommandContext, type CommandSpec } from '../../command.js';
import type { ParsedArgs } from '../../flags.js';
import { describeError } from '../errors.js';
import { monitorTtySize, proxySignals, streamHijacked } from './attach-io.js';
import { detachKeysFlag } from '../../opts/detach-keys.js';

async function startAttached(ctx: CommandContext, client: BerthClient, name: string, { flags }: ParsedArgs): Promise<number> {
  const { value: container } = await client.inspectContainer(name);
  const tty = Boolean(container.Config.Tty);
  const stdin = Boolean(flags.interactive) && Boolean(container.Config.OpenStdin);
  const detachKeys = (flags['detach-keys'] as string) || undefined;
  const conn = await client.attachContainer(container.Id, { stdin, stdout: true, stderr: true, detachKeys });
  const { result: exited } = await client.waitContainer(container.Id, container.HostConfig.AutoRemove ? 'removed' : 'next-exit');
  exited.catch(() => {});
  try {
    await client.startContainer(container.Id, { detachKeys });
  } catch (err) {
    conn.socket.destroy();
    throw err;
  }
  const stopResize = tty ? monitorTtySize(ctx.stdout, (h, w) => client.resizeContainer(container.Id, h, w)) : () => {};
  const stopSignals = tty ? () => {} : proxySignals((signal) => client.killContainer(container.Id, signal));
  try {
    const end = await streamHijacked(conn, { tty, stdin: stdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr, detachKeys });
    if (end === 'detached') return 0;
  } finally {
    stopResize();
    stopSignals();
  }
  return (await exited).StatusCode;
}

async function startEach(ctx: CommandContext, client: BerthClient, names: string[]): Promise<number> {
  const failed: string[] = [];
  for (const name of names) {
    try {
      await client.startContainer(name);
      await write(ctx.stdout, `${name}\n`);
    } catch (err) {
      await write(ctx.stderr, `${describeError(err, ctx.host)}\n`);
      failed.push(name);
    }
  }
  if (failed.length > 0) throw new StatusError(`Error: failed to start containers: ${failed.join(', ')}`, 1);
  return 0;
}

export const startCommand: CommandSpec = {
  path: 'container start',
  aliases: ['container start', 'start'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  args: { kind: 'min', count: 1 },
  flags: [
    { long: 'attach', short: 'a', type: 'bool', usage: 'Attach STDOUT/STDERR and forward signals' },
    detachKeysFlag,
    { long: 'interactive', short: 'i', type: 'bool', usage: "Attach container's STDIN" },
  ],
  async run(ctx, parsed) {
    const attach = parsed.flags.attach || parsed.flags.interactive;
    if (attach && parsed.args.length > 1) throw new StatusError('you cannot start and attach multiple containers at once', 1);
    const client = await ctx.client();
    return attach ? startAttached(ctx, client, parsed.args[0], parsed) : startEach(ctx, client, parsed.args);
  },
};

/** `berth attach`: joins a running container's stdio until it exits or the user detaches. */
import { StatusError, type CommandSpec } from '../../command.js';
import { monitorTtySize, proxySignals, streamHijacked } from './attach-io.js';
import { detachKeysFlag } from '../../opts/detach-keys.js';

export const attachCommand: CommandSpec = {
  path: 'container attach',
  aliases: ['container attach', 'attach'],
  usage: '[OPTIONS] CONTAINER',
  short: "Attach local standard input, output, and error streams to a running container",
  args: { kind: 'exact', count: 1 },
  flags: [
    detachKeysFlag,
    { long: 'no-stdin', type: 'bool', usage: 'Do not attach STDIN' },
    { long: 'sig-proxy', type: 'bool', usage: 'Proxy all received signals to the process', default: true },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const { value: container } = await client.inspectContainer(args[0]);
    if (!container.State.Running) throw new StatusError('You cannot attach to a stopped container, start it first', 1);
    if (container.State.Paused) throw new StatusError('You cannot attach to a paused container, unpause it first', 1);
    if (container.State.Restarting) throw new StatusError('You cannot attach to a restarting container, wait until it is running', 1);
    const tty = Boolean(container.Config.Tty);
    const stdin = !flags['no-stdin'] && Boolean(container.Config.OpenStdin);
    const detachKeys = (flags['detach-keys'] as string) || undefined;
    const conn = await client.attachContainer(args[0], { stdin, stdout: true, stderr: true, detachKeys });
    const { result: exited } = await client.waitContainer(args[0]);
    exited.catch(() => {});
    const stopResize = tty ? monitorTtySize(ctx.stdout, (h, w) => client.resizeContainer(args[0], h, w)) : () => {};
    const stopSignals = flags['sig-proxy'] && !tty ? proxySignals((signal) => client.killContainer(args[0], signal)) : () => {};
    try {
      const end = await streamHijacked(conn, { tty, stdin: stdin ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr, detachKeys });
      if (end === 'detached') return 0;
    } finally {
      stopResize();
      stopSignals();
    }
    const status = await exited;
    return status.StatusCode;
  },
};

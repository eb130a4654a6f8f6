/** `berth exec`: runs a process in a running container; the exit code is the process's. */
import type { CommandContext, CommandSpec } from '../../command.js';
import { expandEnv, parseKeyValueFile } from '../../opts/files.js';
import { consoleSize, monitorTtySize, streamHijacked } from './attach-io.js';
import { detachKeysFlag } from '../../opts/detach-keys.js';

export const execCommand: CommandSpec = {
  path: 'container exec',
  aliases: ['container exec', 'exec'],
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  args: { kind: 'min', count: 2 },
  interspersed: false,
  flags: [
    { long: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: run command in the background' },
    detachKeysFlag,
    { long: 'env', short: 'e', type: 'stringArray', usage: 'Set environment variables', valueName: 'list' },
    { long: 'env-file', type: 'stringArray', usage: 'Read in a file of environment variables', valueName: 'list' },
    { long: 'interactive', short: 'i', type: 'bool', usage: 'Keep STDIN open even if not attached' },
    { long: 'privileged', type: 'bool', usage: 'Give extended privileges to the command' },
    { long: 'tty', short: 't', type: 'bool', usage: 'Allocate a pseudo-TTY' },
    { long: 'user', short: 'u', type: 'string', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")', valueName: 'string' },
    { long: 'workdir', short: 'w', type: 'string', usage: 'Working directory inside the container', valueName: 'string' },
  ],
  async run(ctx, { flags, args }) {
    const [container, ...cmd] = args;
    const env = [...(flags['env-file'] as string[]).flatMap((f) => parseKeyValueFile(f, (n) => process.env[n])), ...(flags.env as string[]).map((e) => expandEnv(e, process.env))];
    return execIn(ctx, container, cmd, {
      detach: Boolean(flags.detach), tty: Boolean(flags.tty), interactive: Boolean(flags.interactive), env,
      user: flags.user as string, privileged: flags.privileged as boolean, workdir: flags.workdir as string,
      detachKeys: (flags['detach-keys'] as string) || undefined,
    });
  },
};

export interface ExecOptions {
  detach: boolean;
  tty: boolean;
  interactive: boolean;
  env: string[];
  user?: string;
  privileged?: boolean;
  workdir?: string;
  detachKeys?: string;
}

/** Runs `cmd` in a running container, streaming it (or not, with `detach`); the exit code is the process's. `compose exec` shares it. */
export async function execIn(ctx: CommandContext, container: string, cmd: string[], o: ExecOptions): Promise<number> {
  const { detach, tty, detachKeys, env } = o;
  if (!detach && o.interactive && tty && !ctx.stdin.isTTY) throw new Error('the input device is not a TTY');
  const client = await ctx.client();
  const size = tty ? consoleSize(ctx.stdout) : undefined;
  const { Id: execId } = await client.createExec(container, {
    User: o.user, Privileged: o.privileged, Tty: tty, AttachStdin: o.interactive && !detach,
    AttachStdout: !detach, AttachStderr: !detach, Detach: detach, DetachKeys: detachKeys, Env: env.length ? env : undefined,
    WorkingDir: o.workdir, Cmd: cmd, ConsoleSize: size,
  });
  if (detach) {
    await client.startExecDetached(execId, tty);
    return 0;
  }
  const conn = await client.startExecAttached(execId, tty, size);
  const stopResize = tty ? monitorTtySize(ctx.stdout, (h, w) => client.resizeExec(execId, h, w)) : () => {};
  try {
    const end = await streamHijacked(conn, { tty, stdin: o.interactive ? ctx.stdin : undefined, stdout: ctx.stdout, stderr: ctx.stderr, detachKeys });
    if (end === 'detached') return 0;
  } finally {
    stopResize();
  }
  return (await client.inspectExec(execId)).ExitCode ?? 0;
}

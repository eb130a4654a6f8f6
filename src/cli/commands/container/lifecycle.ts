/** stop, kill, restart, pause, unpause, rm, wait, rename: thin commands over one API call each. */
import { StatusError, type CommandSpec } from '../../command.js';
import type { FlagSpec } from '../../flags.js';
import { describeError } from '../errors.js';
import { forEachContainer } from './each.js';

const timeFlag: FlagSpec = { long: 'time', short: 't', type: 'int', usage: 'Seconds to wait before killing the container' };
const signalFlag = (usage: string): FlagSpec => ({ long: 'signal', short: 's', type: 'string', usage, valueName: 'string' });
const many = { kind: 'min', count: 1 } as const;

export const stopCommand: CommandSpec = {
  path: 'container stop',
  aliases: ['container stop', 'stop'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  args: many,
  flags: [signalFlag('Signal to send to the container'), timeFlag],
  async run(ctx, { flags, args, changed }) {
    const client = await ctx.client();
    const options = { timeout: changed.has('time') ? (flags.time as number) : undefined, signal: flags.signal as string };
    return forEachContainer(ctx, args, async (name) => (await client.stopContainer(name, options), name));
  },
};

export const restartCommand: CommandSpec = {
  path: 'container restart',
  aliases: ['container restart', 'restart'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  args: many,
  flags: [signalFlag('Signal to send to the container'), timeFlag],
  async run(ctx, { flags, args, changed }) {
    const client = await ctx.client();
    const options = { timeout: changed.has('time') ? (flags.time as number) : undefined, signal: flags.signal as string };
    return forEachContainer(ctx, args, async (name) => (await client.restartContainer(name, options), name));
  },
};

export const killCommand: CommandSpec = {
  path: 'container kill',
  aliases: ['container kill', 'kill'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  args: many,
  flags: [signalFlag('Signal to send to the container')],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (name) => (await client.killContainer(name, flags.signal as string), name));
  },
};

export const pauseCommand: CommandSpec = {
  path: 'container pause',
  aliases: ['container pause', 'pause'],
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Pause all processes within one or more containers',
  args: many,
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (name) => (await client.pauseContainer(name), name));
  },
};

export const unpauseCommand: CommandSpec = {
  path: 'container unpause',
  aliases: ['container unpause', 'unpause'],
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Unpause all processes within one or more containers',
  args: many,
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (name) => (await client.unpauseContainer(name), name));
  },
};

export const rmCommand: CommandSpec = {
  path: 'container rm',
  aliases: ['container rm', 'container remove', 'rm'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  args: many,
  flags: [
    { long: 'force', short: 'f', type: 'bool', usage: 'Force the removal of a running container (uses SIGKILL)' },
    { long: 'link', short: 'l', type: 'bool', usage: 'Remove the specified link' },
    { long: 'volumes', short: 'v', type: 'bool', usage: 'Remove anonymous volumes associated with the container' },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const options = { force: flags.force as boolean, link: flags.link as boolean, volumes: flags.volumes as boolean };
    // docker trims the slash people copy from inspect's `/name`.
    return forEachContainer(ctx, args, async (name) => {
      const trimmed = name.replace(/^\//, '');
      if (!trimmed) throw new Error('Container name cannot be empty');
      await client.removeContainer(trimmed, options);
      return name;
    });
  },
};

export const waitCommand: CommandSpec = {
  path: 'container wait',
  aliases: ['container wait', 'wait'],
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  args: many,
  flags: [],
  async run(ctx, { args }) {
    const client = await ctx.client();
    return forEachContainer(ctx, args, async (name) => {
      const status = await (await client.waitContainer(name)).result;
      if (status.Error?.Message) throw new Error(status.Error.Message);
      return String(status.StatusCode);
    });
  },
};

export const renameCommand: CommandSpec = {
  path: 'container rename',
  aliases: ['container rename', 'rename'],
  usage: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  args: { kind: 'exact', count: 2 },
  flags: [],
  async run(ctx, { args }) {
    const [oldName, newName] = args.map((a) => a.trim());
    if (!oldName || !newName) throw new StatusError('Error: Neither old nor new names may be empty', 1);
    const client = await ctx.client();
    try {
      await client.renameContainer(oldName, newName);
    } catch (err) {
      throw new StatusError(`${describeError(err, ctx.host)}\nError: failed to rename container named ${oldName}`, 1);
    }
    return 0;
  },
};

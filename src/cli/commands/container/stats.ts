/**
 * `berth stats`: one stats stream per container, the latest sample of each
 * rendered as docker's table every second (the screen cleared between frames
 * on a terminal), or a single frame with --no-stream.
 */
import type { Readable } from 'node:stream';
import type { BerthClient } from '../../../client/index.js';
import type { StatsSample } from '../../../client/container-types.js';
import { readJsonMessages } from '../../../client/jsonstream.js';
import { write, type CommandContext, type CommandSpec } from '../../command.js';
import { renderRows, TABLE_KEY } from '../../format/formatter.js';
import { formatFlag } from '../common.js';
import { describeError } from '../errors.js';
import { emptyEntry, STATS_HEADERS, statsEntry, statsRow, type StatsEntry } from './stats-math.js';

const DEFAULT_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

async function* samples(body: Readable): AsyncGenerator<StatsSample> {
  for await (const message of readJsonMessages(body)) yield message as unknown as StatsSample;
}

async function targets(client: BerthClient, args: string[], all: boolean): Promise<string[]> {
  if (args.length > 0) return args;
  const list = await client.listContainers({ all });
  return list.map((c) => c.Id.slice(0, 12));
}

function render(entries: StatsEntry[], format: string, trunc: boolean): string {
  return renderRows(format === TABLE_KEY ? DEFAULT_TABLE : format, entries.map((e) => statsRow(e, trunc)), STATS_HEADERS);
}

async function noStream(ctx: CommandContext, client: BerthClient, names: string[], format: string, trunc: boolean): Promise<number> {
  const errors: string[] = [];
  const entries = await Promise.all(
    names.map(async (name) => {
      try {
        for await (const sample of samples(await client.containerStats(name, false))) return statsEntry(name, sample);
      } catch (err) {
        errors.push(describeError(err, ctx.host));
      }
      return emptyEntry(name);
    }),
  );
  if (errors.length > 0) {
    await write(ctx.stderr, `${errors.join('\n')}\n`);
    return 1;
  }
  await write(ctx.stdout, render(entries, format, trunc));
  return 0;
}

async function live(ctx: CommandContext, client: BerthClient, names: string[], format: string, trunc: boolean): Promise<number> {
  const latest = new Map<string, StatsEntry>(names.map((n) => [n, emptyEntry(n)]));
  const streams = names.map(async (name) => {
    try {
      for await (const sample of samples(await client.containerStats(name, true))) latest.set(name, statsEntry(name, sample));
    } catch (err) {
      await write(ctx.stderr, `${describeError(err, ctx.host)}\n`);
    }
    latest.delete(name);
  });
  const clear = ctx.stdout.isTTY ? '\x1b[2J\x1b[H' : '';
  const timer = setInterval(() => void write(ctx.stdout, clear + render([...latest.values()], format, trunc)), 1000);
  try {
    await Promise.all(streams);
  } finally {
    clearInterval(timer);
  }
  return 0;
}

export const statsCommand: CommandSpec = {
  path: 'container stats',
  aliases: ['container stats', 'stats'],
  usage: '[OPTIONS] [CONTAINER...]',
  short: 'Display a live stream of container(s) resource usage statistics',
  args: { kind: 'min', count: 0 },
  flags: [
    { long: 'all', short: 'a', type: 'bool', usage: 'Show all containers (default shows just running)' },
    formatFlag(),
    { long: 'no-stream', type: 'bool', usage: 'Disable streaming stats and only pull the first result' },
    { long: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
  ],
  async run(ctx, { flags, args }) {
    const client = await ctx.client();
    const names = await targets(client, args, flags.all as boolean);
    const format = (flags.format as string) || TABLE_KEY;
    const trunc = !flags['no-trunc'];
    return flags['no-stream'] ? noStream(ctx, client, names, format, trunc) : live(ctx, client, names, format, trunc);
  },
};

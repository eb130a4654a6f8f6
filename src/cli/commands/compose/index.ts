/**
 * `berth compose`: the compose command group. Its own flags (-f, -p, …) come
 * before the subcommand, as in docker compose v2, so it parses them itself
 * and then dispatches; each subcommand module loads only when it runs.
 */
import { write, type CommandContext, type CommandSpec } from '../../command.js';
import { FlagError, flagUsages, parseFlags, type FlagSpec, type ParsedArgs } from '../../flags.js';
import { PROGRAM } from '../../version-info.js';
import { COMPOSE_FLAGS, composeOptions } from './options.js';
import type { ComposeSubcommand } from './subcommand.js';

interface Entry {
  name: string;
  short: string;
  load: () => Promise<ComposeSubcommand>;
}

/** The subcommands there are; `--help` lists exactly these. */
const SUBCOMMANDS: Entry[] = [
  { name: 'config', short: 'Parse, resolve and render compose file in canonical format', load: async () => (await import('./config.js')).configCommand },
  { name: 'down', short: 'Stop and remove containers, networks', load: async () => (await import('./down.js')).downCommand },
  { name: 'exec', short: 'Execute a command in a running container', load: async () => (await import('./exec.js')).execCommand },
  { name: 'ps', short: 'List containers', load: async () => (await import('./ps.js')).psCommand },
  { name: 'run', short: 'Run a one-off command on a service', load: async () => (await import('./run.js')).runCommand },
  { name: 'up', short: 'Create and start containers', load: async () => (await import('./up.js')).upCommand },
  { name: 'version', short: 'Show the berth compose version information', load: async () => (await import('./version.js')).versionCommand },
];

const HELP_FLAG: FlagSpec = { long: 'help', type: 'bool', usage: 'Print usage' };

export function composeHelp(): string {
  const commands = SUBCOMMANDS.map((s) => `  ${s.name.padEnd(11)} ${s.short}`).join('\n');
  return (
    `Usage:  ${PROGRAM} compose [OPTIONS] COMMAND\n\nDefine and run multi-container applications with ${PROGRAM}\n\n` +
    `Options:\n${flagUsages(COMPOSE_FLAGS)}\nCommands:\n${commands}\n\nRun '${PROGRAM} compose COMMAND --help' for more information on a command.\n`
  );
}

function subcommandHelp(sub: ComposeSubcommand): string {
  return `Usage:  ${PROGRAM} compose ${sub.name} ${sub.usage}\n\n${sub.short}\n\nOptions:\n${flagUsages(sub.flags)}`;
}

export const composeCommand: CommandSpec = {
  path: 'compose',
  aliases: ['compose'],
  usage: '[OPTIONS] COMMAND',
  short: 'Define and run multi-container applications',
  flags: COMPOSE_FLAGS,
  args: { kind: 'min', count: 0 },
  interspersed: false,
  help: composeHelp,
  async run(ctx, parsed) {
    const [name, ...rest] = parsed.args;
    if (name === undefined || name === 'help') {
      await write(ctx.stdout, composeHelp());
      return 0;
    }
    const entry = SUBCOMMANDS.find((s) => s.name === name);
    if (!entry) {
      await write(ctx.stderr, `unknown ${PROGRAM} compose command: "${name}"\n\nRun '${PROGRAM} compose --help' for more information\n`);
      return 1;
    }
    return runSubcommand(ctx, await entry.load(), rest, parsed);
  },
};

async function runSubcommand(ctx: CommandContext, sub: ComposeSubcommand, argv: string[], outer: ParsedArgs): Promise<number> {
  const usageTail = `\n\nUsage:  ${PROGRAM} compose ${sub.name} ${sub.usage}\n\nRun '${PROGRAM} compose ${sub.name} --help' for more information\n`;
  let parsed: ParsedArgs;
  try {
    parsed = parseFlags(argv, [...sub.flags, HELP_FLAG], sub.interspersed ?? true);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    await write(ctx.stderr, err.message + usageTail);
    return 1;
  }
  if (parsed.flags.help) {
    await write(ctx.stdout, subcommandHelp(sub));
    return 0;
  }
  return sub.run(ctx, parsed, composeOptions(outer.flags));
}

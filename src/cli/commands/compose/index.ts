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
  { name: 'build', short: 'Build or rebuild services', load: async () => (await import('./build.js')).buildCommand },
  { name: 'config', short: 'Parse, resolve and render compose file in canonical format', load: async () => (await import('./config.js')).configCommand },
  { name: 'cp', short: 'Copy files/folders between a service container and the local filesystem', load: async () => (await import('./cp.js')).cpCommand },
  { name: 'create', short: 'Creates containers for a service.', load: async () => (await import('./create.js')).createCommand },
  { name: 'down', short: 'Stop and remove containers, networks', load: async () => (await import('./down.js')).downCommand },
  { name: 'events', short: 'Receive real time events from containers', load: async () => (await import('./events.js')).eventsCommand },
  { name: 'exec', short: 'Execute a command in a running container', load: async () => (await import('./exec.js')).execCommand },
  { name: 'images', short: 'List images used by the created containers', load: async () => (await import('./images.js')).imagesCommand },
  { name: 'kill', short: 'Force stop service containers', load: async () => (await import('./kill.js')).killCommand },
  { name: 'logs', short: 'View output from containers', load: async () => (await import('./logs.js')).logsCommand },
  { name: 'ls', short: 'List running compose projects', load: async () => (await import('./ls.js')).lsCommand },
  { name: 'pause', short: 'Pause services', load: async () => (await import('./pause.js')).pauseCommand },
  { name: 'port', short: 'Print the public port for a port binding', load: async () => (await import('./port.js')).portCommand },
  { name: 'ps', short: 'List containers', load: async () => (await import('./ps.js')).psCommand },
  { name: 'pull', short: 'Pull service images', load: async () => (await import('./pull.js')).pullCommand },
  { name: 'push', short: 'Push service images', load: async () => (await import('./push.js')).pushCommand },
  { name: 'restart', short: 'Restart service containers', load: async () => (await import('./restart.js')).restartCommand },
  { name: 'rm', short: 'Removes stopped service containers', load: async () => (await import('./rm.js')).rmCommand },
  { name: 'run', short: 'Run a one-off command on a service', load: async () => (await import('./run.js')).runCommand },
  { name: 'scale', short: 'Scale services ', load: async () => (await import('./scale.js')).scaleCommand },
  { name: 'start', short: 'Start services', load: async () => (await import('./start.js')).startCommand },
  { name: 'stop', short: 'Stop services', load: async () => (await import('./stop.js')).stopCommand },
  { name: 'top', short: 'Display the running processes', load: async () => (await import('./top.js')).topCommand },
  { name: 'unpause', short: 'Unpause services', load: async () => (await import('./unpause.js')).unpauseCommand },
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

/** The compose commands most run, whose modules a CLI pool worker loads before its command arrives. */
const PRELOADED = ['up', 'down', 'ps', 'logs', 'config'];

/**
 * For the CLI pool's workers (see main.ts's preload): loads the commonest
 * subcommands and takes a small project from memory through the whole loader
 * (YAML, interpolation, the schema's compilation, the model), so that a
 * command's first file is not also the first run of that code (~20 ms here).
 * Reads no file of the user's: the project comes from a string, its
 * directory does not exist.
 */
export async function preloadCompose(stop: () => boolean = () => false): Promise<void> {
  for (const name of PRELOADED) {
    if (stop()) return;
    await SUBCOMMANDS.find((s) => s.name === name)?.load();
  }
  if (stop()) return;
  try {
    await warmProjectLoader();
  } catch {
    // Only a warm-up: a worker that could not run it still serves every command.
  }
}

/** The small project through the loader; throws what the loader would (index.test.ts checks it loads). */
export async function warmProjectLoader(): Promise<void> {
  const { loadProject } = await import('../../../compose/project.js');
  loadProject({ files: ['-'], stdin: () => PRELOAD_PROJECT, cwd: '/nonexistent/berth-preload', env: {}, projectName: 'preload' });
}

const PRELOAD_PROJECT = `
x-common: &common
  image: busybox:latest
  restart: unless-stopped
services:
  web:
    <<: *common
    command: ["sh", "-c", "echo \${GREETING:-hi}"]
    ports: ["8080:80"]
    depends_on: { db: { condition: service_healthy } }
    networks: [front]
    volumes: ["data:/data"]
  db:
    <<: *common
    healthcheck: { test: ["CMD", "true"], interval: 1s }
networks: { front: {} }
volumes: { data: {} }
`;

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

/** compose v2's exit code for a command line it cannot parse. */
const FLAG_ERROR_STATUS = 16;

async function runSubcommand(ctx: CommandContext, sub: ComposeSubcommand, argv: string[], outer: ParsedArgs): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseFlags(argv, [...sub.flags, HELP_FLAG], sub.interspersed ?? true);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    // compose v2 says only what is wrong, and exits with its syntax-failure code.
    await write(ctx.stderr, `${err.message}\n`);
    return FLAG_ERROR_STATUS;
  }
  if (parsed.flags.help) {
    await write(ctx.stdout, subcommandHelp(sub));
    return 0;
  }
  return sub.run(ctx, parsed, composeOptions(outer.flags));
}

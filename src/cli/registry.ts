/**
 * The command table. Each entry names the paths that reach a command and
 * loads its module only when needed, so `berth --version` imports nothing.
 */
import type { CommandSpec } from './command.js';

export interface CommandEntry {
  paths: string[];
  short: string;
  load: () => Promise<CommandSpec>;
}

export const COMMANDS: CommandEntry[] = [
  { paths: ['version'], short: 'Show the berth version information', load: async () => (await import('./commands/version.js')).versionCommand },
  { paths: ['info', 'system info'], short: 'Display system-wide information', load: async () => (await import('./commands/info.js')).infoCommand },
  { paths: ['images', 'image ls', 'image list'], short: 'List images', load: async () => (await import('./commands/images.js')).imagesCommand },
  { paths: ['image inspect'], short: 'Display detailed information on one or more images', load: async () => (await import('./commands/inspect.js')).imageInspectCommand },
  { paths: ['container inspect'], short: 'Display detailed information on one or more containers', load: async () => (await import('./commands/inspect.js')).containerInspectCommand },
  { paths: ['inspect'], short: 'Return low-level information on berth objects', load: async () => (await import('./commands/inspect.js')).inspectCommand },
  { paths: ['history', 'image history'], short: 'Show the history of an image', load: async () => (await import('./commands/history.js')).historyCommand },
  { paths: ['tag', 'image tag'], short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', load: async () => (await import('./commands/tag.js')).tagCommand },
  { paths: ['rmi', 'image rm', 'image remove'], short: 'Remove one or more images', load: async () => (await import('./commands/rmi.js')).rmiCommand },
  { paths: ['import', 'image import'], short: 'Import the contents from a tarball to create a filesystem image', load: async () => (await import('./commands/import.js')).importCommand },
  { paths: ['save', 'image save'], short: 'Save one or more images to a tar archive (streamed to STDOUT by default)', load: async () => (await import('./commands/save.js')).saveCommand },
  { paths: ['load', 'image load'], short: 'Load an image from a tar archive or STDIN', load: async () => (await import('./commands/load.js')).loadCommand },
  { paths: ['build', 'image build', 'builder build'], short: 'Build an image from a Dockerfile', load: async () => (await import('./commands/build.js')).buildCommand },
  { paths: ['pull', 'image pull'], short: 'Download an image from a registry', load: async () => (await import('./commands/pull.js')).pullCommand },
  { paths: ['push', 'image push'], short: 'Upload an image to a registry', load: async () => (await import('./commands/push.js')).pushCommand },
  { paths: ['login'], short: 'Log in to a registry', load: async () => (await import('./commands/login.js')).loginCommand },
  { paths: ['logout'], short: 'Log out from a registry', load: async () => (await import('./commands/login.js')).logoutCommand },
  { paths: ['search'], short: 'Search Docker Hub for images', load: async () => (await import('./commands/search.js')).searchCommand },
  { paths: ['image prune'], short: 'Remove unused images', load: async () => (await import('./commands/prune.js')).imagePruneCommand },
  { paths: ['run', 'container run'], short: 'Create and run a new container from an image', load: async () => (await import('./commands/container/run.js')).runCommand },
  { paths: ['create', 'container create'], short: 'Create a new container', load: async () => (await import('./commands/container/create.js')).createCommand },
  { paths: ['ps', 'container ls', 'container list', 'container ps'], short: 'List containers', load: async () => (await import('./commands/container/ps.js')).psCommand },
  { paths: ['stop', 'container stop'], short: 'Stop one or more running containers', load: async () => (await import('./commands/container/lifecycle.js')).stopCommand },
  { paths: ['kill', 'container kill'], short: 'Kill one or more running containers', load: async () => (await import('./commands/container/lifecycle.js')).killCommand },
  { paths: ['restart', 'container restart'], short: 'Restart one or more containers', load: async () => (await import('./commands/container/lifecycle.js')).restartCommand },
  { paths: ['pause', 'container pause'], short: 'Pause all processes within one or more containers', load: async () => (await import('./commands/container/lifecycle.js')).pauseCommand },
  { paths: ['unpause', 'container unpause'], short: 'Unpause all processes within one or more containers', load: async () => (await import('./commands/container/lifecycle.js')).unpauseCommand },
  { paths: ['rm', 'container rm', 'container remove'], short: 'Remove one or more containers', load: async () => (await import('./commands/container/lifecycle.js')).rmCommand },
  { paths: ['wait', 'container wait'], short: 'Block until one or more containers stop, then print their exit codes', load: async () => (await import('./commands/container/lifecycle.js')).waitCommand },
  { paths: ['rename', 'container rename'], short: 'Rename a container', load: async () => (await import('./commands/container/lifecycle.js')).renameCommand },
  { paths: ['start', 'container start'], short: 'Start one or more stopped containers', load: async () => (await import('./commands/container/start.js')).startCommand },
  { paths: ['attach', 'container attach'], short: 'Attach local standard input, output, and error streams to a running container', load: async () => (await import('./commands/container/attach.js')).attachCommand },
  { paths: ['exec', 'container exec'], short: 'Execute a command in a running container', load: async () => (await import('./commands/container/exec.js')).execCommand },
  { paths: ['logs', 'container logs'], short: 'Fetch the logs of a container', load: async () => (await import('./commands/container/logs.js')).logsCommand },
  { paths: ['top', 'container top'], short: 'Display the running processes of a container', load: async () => (await import('./commands/container/inspect-commands.js')).topCommand },
  { paths: ['diff', 'container diff'], short: 'Inspect changes to files or directories on a container\'s filesystem', load: async () => (await import('./commands/container/inspect-commands.js')).diffCommand },
  { paths: ['port', 'container port'], short: 'List port mappings or a specific mapping for the container', load: async () => (await import('./commands/container/inspect-commands.js')).portCommand },
  { paths: ['commit', 'container commit'], short: 'Create a new image from a container\'s changes', load: async () => (await import('./commands/container/commit.js')).commitCommand },
  { paths: ['export', 'container export'], short: 'Export a container\'s filesystem as a tar archive', load: async () => (await import('./commands/container/commit.js')).exportCommand },
  { paths: ['update', 'container update'], short: 'Update configuration of one or more containers', load: async () => (await import('./commands/container/update.js')).updateCommand },
  { paths: ['container prune'], short: 'Remove all stopped containers', load: async () => (await import('./commands/container/prune.js')).containerPruneCommand },
  { paths: ['stats', 'container stats'], short: 'Display a live stream of container(s) resource usage statistics', load: async () => (await import('./commands/container/stats.js')).statsCommand },
  { paths: ['cp', 'container cp'], short: 'Copy files/folders between a container and the local filesystem', load: async () => (await import('./commands/container/cp.js')).cpCommand },
  { paths: ['events', 'system events'], short: 'Get real time events from the server', load: async () => (await import('./commands/events.js')).eventsCommand },
  { paths: ['system prune'], short: 'Remove unused data', load: async () => (await import('./commands/system-prune.js')).systemPruneCommand },
  { paths: ['system df'], short: 'Show berth disk usage', load: async () => (await import('./commands/df.js')).dfCommand },
  { paths: ['network ls', 'network list'], short: 'List networks', load: async () => (await import('./commands/network/ls.js')).networkLsCommand },
  { paths: ['network create'], short: 'Create a network', load: async () => (await import('./commands/network/create.js')).networkCreateCommand },
  { paths: ['network inspect'], short: 'Display detailed information on one or more networks', load: async () => (await import('./commands/network/manage.js')).networkInspectCommand },
  { paths: ['network rm', 'network remove'], short: 'Remove one or more networks', load: async () => (await import('./commands/network/manage.js')).networkRmCommand },
  { paths: ['network prune'], short: 'Remove all unused networks', load: async () => (await import('./commands/network/manage.js')).networkPruneCommand },
  { paths: ['network connect'], short: 'Connect a container to a network', load: async () => (await import('./commands/network/manage.js')).networkConnectCommand },
  { paths: ['network disconnect'], short: 'Disconnect a container from a network', load: async () => (await import('./commands/network/manage.js')).networkDisconnectCommand },
  { paths: ['volume create'], short: 'Create a volume', load: async () => (await import('./commands/volume/manage.js')).volumeCreateCommand },
  { paths: ['volume ls', 'volume list'], short: 'List volumes', load: async () => (await import('./commands/volume/ls.js')).volumeLsCommand },
  { paths: ['volume inspect'], short: 'Display detailed information on one or more volumes', load: async () => (await import('./commands/volume/manage.js')).volumeInspectCommand },
  { paths: ['volume rm', 'volume remove'], short: 'Remove one or more volumes', load: async () => (await import('./commands/volume/manage.js')).volumeRmCommand },
  { paths: ['volume prune'], short: 'Remove unused local volumes', load: async () => (await import('./commands/volume/manage.js')).volumePruneCommand },
  { paths: ['compose'], short: 'Define and run multi-container applications', load: async () => (await import('./commands/compose/index.js')).composeCommand },
  { paths: ['context create'], short: 'Create a context', load: async () => (await import('./commands/context.js')).contextCreateCommand },
  { paths: ['context ls', 'context list'], short: 'List contexts', load: async () => (await import('./commands/context.js')).contextLsCommand },
  { paths: ['context use'], short: 'Set the current berth context', load: async () => (await import('./commands/context.js')).contextUseCommand },
  { paths: ['context rm', 'context remove'], short: 'Remove one or more contexts', load: async () => (await import('./commands/context.js')).contextRmCommand },
  { paths: ['context inspect'], short: 'Display detailed information on one or more contexts', load: async () => (await import('./commands/context.js')).contextInspectCommand },
  { paths: ['context show'], short: 'Print the name of the current context', load: async () => (await import('./commands/context.js')).contextShowCommand },
];

/** Management commands (`image`, `system`) whose subcommands live in the table. */
export const GROUPS: Record<string, string> = {
  container: 'Manage containers',
  context: 'Manage contexts',
  image: 'Manage images',
  network: 'Manage networks',
  system: 'Manage berth',
  volume: 'Manage volumes',
};

/**
 * Management commands with their own dispatcher, listed with the groups in
 * `berth --help`: compose parses its subcommands itself, and `berth registry`
 * and `berth dashboard` are separate server entry points (bin/berth starts them without this CLI).
 */
export const OWN_GROUPS: Record<string, string> = {
  compose: 'Define and run multi-container applications',
  dashboard: 'Run the web console for many engines (serve)',
  registry: 'Run a private image registry (serve, gc)',
};

/** Finds the entry for argv's leading words; returns it with the words consumed. */
export function resolveCommand(argv: readonly string[]): { entry: CommandEntry; path: string; rest: string[] } | undefined {
  for (const words of [2, 1]) {
    const path = argv.slice(0, words).join(' ');
    const entry = COMMANDS.find((c) => c.paths.includes(path));
    if (entry && argv.length >= words) return { entry, path, rest: argv.slice(words) };
  }
  return undefined;
}

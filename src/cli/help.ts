/** `--help` texts in docker's layout. */
import type { CommandSpec } from './command.js';
import { flagUsages } from './flags.js';
import { COMMANDS, GROUPS, OWN_GROUPS } from './registry.js';
import { PROGRAM } from './version-info.js';

export function usageLine(path: string, usage: string): string {
  return `Usage:  ${PROGRAM} ${path}${usage ? ` ${usage}` : ''}`;
}

export function commandHelp(spec: CommandSpec, path: string): string {
  if (spec.help) return spec.help();
  let text = `${usageLine(path, spec.usage)}\n\n${spec.short}\n`;
  if (spec.aliases.length > 1) text += `\nAliases:\n  ${spec.aliases.map((a) => `${PROGRAM} ${a}`).join(', ')}\n`;
  if (spec.flags.length > 0) text += `\nOptions:\n${flagUsages(spec.flags)}`;
  return text;
}

function commandList(entries: Array<[string, string]>): string {
  return entries.map(([name, short]) => `  ${name.padEnd(11)} ${short}`).join('\n') + '\n';
}

export function groupHelp(group: string): string {
  const subcommands = new Map<string, string>();
  for (const entry of COMMANDS) {
    for (const path of entry.paths) {
      const [head, sub] = path.split(' ');
      if (head === group && sub && !subcommands.has(entry.short)) subcommands.set(entry.short, sub);
    }
  }
  const rows = [...subcommands].map(([short, sub]) => [sub, short] as [string, string]).sort(([a], [b]) => (a < b ? -1 : 1));
  return `Usage:  ${PROGRAM} ${group} COMMAND\n\n${GROUPS[group]}\n\nCommands:\n${commandList(rows)}\nRun '${PROGRAM} ${group} COMMAND --help' for more information on a command.\n`;
}

export function rootHelp(): string {
  const groups = Object.entries({ ...GROUPS, ...OWN_GROUPS }).sort(([a], [b]) => (a < b ? -1 : 1));
  const top = COMMANDS.flatMap((c) => c.paths.filter((p) => !p.includes(' ') && !(p in OWN_GROUPS)).map((p) => [p, c.short] as [string, string]));
  return (
    `Usage:  ${PROGRAM} [OPTIONS] COMMAND\n\nA Docker-compatible container engine\n\n` +
    `Management Commands:\n${commandList(groups)}\nCommands:\n${commandList(top.sort(([a], [b]) => (a < b ? -1 : 1)))}\n` +
    `Global Options:\n` +
    `      --config string      Location of client config files (default "~/.berth", env BERTH_CONFIG)\n` +
    `  -c, --context string     Name of the context to use to connect to the daemon (overrides BERTH_HOST/DOCKER_HOST\n` +
    `                           env var and default context set with "${PROGRAM} context use")\n` +
    `  -D, --debug              Enable debug mode\n` +
    `  -H, --host string        Daemon socket to connect to (env BERTH_HOST, DOCKER_HOST)\n` +
    `  -l, --log-level string   Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")\n` +
    `      --tls                Use TLS; implied by --tlsverify\n` +
    `      --tlscacert string   Trust certs signed only by this CA (default "$DOCKER_CERT_PATH/ca.pem")\n` +
    `      --tlscert string     Path to TLS certificate file (default "$DOCKER_CERT_PATH/cert.pem")\n` +
    `      --tlskey string      Path to TLS key file (default "$DOCKER_CERT_PATH/key.pem")\n` +
    `      --tlsverify          Use TLS and verify the remote (env DOCKER_TLS_VERIFY)\n` +
    `  -v, --version            Print version information and quit\n\n` +
    `Run '${PROGRAM} COMMAND --help' for more information on a command.\n`
  );
}

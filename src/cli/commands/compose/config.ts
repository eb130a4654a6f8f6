/** `berth compose config`: the project in canonical form, or one of its lists (services, volumes, profiles, hashes). */
import { write, StatusError, type CommandContext } from '../../command.js';
import type { ParsedArgs } from '../../flags.js';
import { dependencyOrder } from '../../../compose/finalise.js';
import { serviceConfigHash, toJson, toYaml } from '../../../compose/output.js';
import { openProject, type ComposeOptions } from './options.js';
import type { ComposeSubcommand } from './subcommand.js';

export const configCommand: ComposeSubcommand = {
  name: 'config',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Parse, resolve and render compose file in canonical format',
  flags: [
    { long: 'format', type: 'string', default: 'yaml', usage: 'Format the output. Values: [yaml | json]' },
    { long: 'hash', type: 'string', usage: 'Print the service config hash, one per line.' },
    { long: 'no-consistency', type: 'bool', usage: "Don't check model consistency - warning: may produce invalid Compose output" },
    { long: 'no-interpolate', type: 'bool', usage: "Don't interpolate environment variables" },
    { long: 'output', short: 'o', type: 'string', usage: 'Save to file (default to stdout)' },
    { long: 'profiles', type: 'bool', usage: 'Print the profile names, one per line.' },
    { long: 'quiet', short: 'q', type: 'bool', usage: 'Only validate the configuration, don\'t print anything.' },
    { long: 'services', type: 'bool', usage: 'Print the service names, one per line.' },
    { long: 'volumes', type: 'bool', usage: 'Print the volume names, one per line.' },
  ],
  run: runConfig,
};

async function runConfig(ctx: CommandContext, parsed: ParsedArgs, options: ComposeOptions): Promise<number> {
  const { flags } = parsed;
  const format = flags.format as string;
  if (format !== 'yaml' && format !== 'json') throw new StatusError(`unsupported format "${format}"`, 1);
  if (flags.profiles) {
    // Every profile any service names, whether or not it is enabled.
    const all = openProject(ctx, options, { profiles: ['*'] });
    const names = new Set(Object.values(all.model.services).flatMap((s) => (s.profiles as string[] | undefined) ?? []));
    return print(ctx, [...names].sort());
  }
  const project = openProject(ctx, options, { services: parsed.args.length ? parsed.args : undefined, interpolate: !flags['no-interpolate'], consistency: !flags['no-consistency'] });
  const { model } = project;
  if (parsed.args.length) for (const name of Object.keys(model.services)) if (!parsed.args.includes(name)) delete model.services[name];
  if (flags.quiet) return 0;
  // Dependencies first, as compose v2 walks its graph.
  if (flags.services) return print(ctx, dependencyOrder(model.services));
  if (flags.volumes) return print(ctx, Object.keys(model.volumes));
  if (flags.hash !== undefined && parsed.changed.has('hash')) {
    const wanted = (flags.hash as string) === '*' ? dependencyOrder(model.services) : (flags.hash as string).split(',');
    for (const name of wanted) if (!model.services[name]) throw new StatusError(`no such service: ${name}`, 1);
    return print(ctx, wanted.map((name) => `${name} ${serviceConfigHash(model.services[name])}`));
  }
  const text = format === 'json' ? toJson(model) : toYaml(model);
  if (flags.output) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(flags.output as string, text);
    return 0;
  }
  await write(ctx.stdout, text);
  return 0;
}

async function print(ctx: CommandContext, lines: string[]): Promise<number> {
  await write(ctx.stdout, lines.map((l) => `${l}\n`).join(''));
  return 0;
}

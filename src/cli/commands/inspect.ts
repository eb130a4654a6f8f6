/**
 * `berth inspect` (containers, then images, as docker tries them),
 * `berth container inspect` and `berth image inspect`: the daemon's JSON
 * re-indented byte for byte, or `-f` templates executed as docker does.
 */
import type { BerthClient } from '../../client/index.js';
import { StatusError, write, type CommandContext, type CommandSpec } from '../command.js';
import { compileTemplate, type CompiledTemplate } from '../format/template.js';
import { finalTemplate } from '../format/formatter.js';
import type { FlagSpec } from '../flags.js';
import { describeError } from './errors.js';
import { FORMAT_HELP_OBJECT, formatFlag, indentJson } from './common.js';
import { containerInspectView, imageInspectView } from './inspect-view.js';

const inspectFormatFlag: FlagSpec = formatFlag(FORMAT_HELP_OBJECT, 'f');
const sizeFlag = (usage: string): FlagSpec => ({ long: 'size', short: 's', type: 'bool', usage });

/** docker exits 64 (usage) when an inspect template does not even parse. */
function parseOrExit(format: string): CompiledTemplate {
  try {
    return compileTemplate(finalTemplate(format));
  } catch (err) {
    throw new StatusError(`template parsing error: ${(err as Error).message}`, 64);
  }
}

type Kind = 'container' | 'image';

interface Found {
  kind: Kind;
  raw: string;
  value: Record<string, unknown>;
}

/** Renders one object: typed view first (images), then docker's raw-map fallback. */
function renderWithTemplate(template: CompiledTemplate, found: Found): string {
  try {
    return template.execute(found.kind === 'image' ? imageInspectView(found.value as never) : containerInspectView(found.value));
  } catch {
    // Fall through to the raw map, as docker does.
  }
  return template.execute(found.value, { missingKeyError: true });
}

async function fetchOne(client: BerthClient, kind: Kind, name: string, size: boolean): Promise<Found> {
  const { raw, value } = kind === 'container' ? await client.inspectContainer(name, { size }) : await client.inspectImage(name);
  return { kind, raw, value };
}

const isNotFound = (err: unknown) => (err as { kind?: string }).kind === 'notFound';

/** Finds `name` among the kinds in order; the untyped form reports docker's `No such object`. */
async function find(ctx: CommandContext, client: BerthClient, kinds: Kind[], name: string, size: boolean): Promise<Found | string> {
  for (const kind of kinds) {
    try {
      return await fetchOne(client, kind, name, size);
    } catch (err) {
      if (!isNotFound(err) || kinds.length === 1) return describeError(err, ctx.host);
    }
  }
  return `Error: No such object: ${name}`;
}

/**
 * Looks each name up and renders it in turn, as docker does: every failure
 * (lookup or template) is reported in order after the output, and a template
 * run whose buffer stayed empty flushes as a single newline.
 */
async function inspectObjects(ctx: CommandContext, kinds: Kind[], names: string[], format: string, size: boolean): Promise<number> {
  const template = format && format !== 'json' ? parseOrExit(format) : undefined;
  const client = await ctx.client();
  const found: Found[] = [];
  const errors: string[] = [];
  let output = '';
  for (const name of names) {
    const result = await find(ctx, client, kinds, name, size);
    if (typeof result === 'string') {
      errors.push(result);
      continue;
    }
    found.push(result);
    if (!template) continue;
    try {
      output += renderWithTemplate(template, result) + '\n';
    } catch (err) {
      errors.push(`template parsing error: ${(err as Error).message}`);
    }
  }
  if (!template) output = found.length === 0 ? '[]\n' : indentJson(`[${found.map((f) => f.raw).join(',')}]`) + '\n';
  await write(ctx.stdout, output || '\n');
  if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
  return 0;
}

export const imageInspectCommand: CommandSpec = {
  path: 'image inspect',
  aliases: ['image inspect'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: { kind: 'min', count: 1 },
  flags: [inspectFormatFlag],
  run: (ctx, { flags, args }) => inspectObjects(ctx, ['image'], args, flags.format as string, false),
};

export const containerInspectCommand: CommandSpec = {
  path: 'container inspect',
  aliases: ['container inspect'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  args: { kind: 'min', count: 1 },
  flags: [inspectFormatFlag, sizeFlag('Display total file sizes')],
  run: (ctx, { flags, args }) => inspectObjects(ctx, ['container'], args, flags.format as string, flags.size as boolean),
};

const SUPPORTED_TYPES: Kind[] = ['container', 'image'];
const KNOWN_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export const inspectCommand: CommandSpec = {
  path: 'inspect',
  aliases: ['inspect'],
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on berth objects',
  args: { kind: 'min', count: 1 },
  flags: [inspectFormatFlag, sizeFlag('Display total file sizes if the type is container'), { long: 'type', type: 'string', usage: 'Only inspect objects of the given type', valueName: 'string' }],
  async run(ctx, { flags, args }) {
    const type = flags.type as string;
    if (type && !KNOWN_TYPES.includes(type)) {
      throw new StatusError(`unknown type: "${type}": must be one of ${KNOWN_TYPES.map((t) => `"${t}"`).join(', ')}`, 1);
    }
    if (type && !(SUPPORTED_TYPES as string[]).includes(type)) throw new StatusError(`berth inspect: --type ${type} is not supported yet (containers and images only)`, 1);
    const kinds = type ? [type as Kind] : SUPPORTED_TYPES;
    return inspectObjects(ctx, kinds, args, flags.format as string, flags.size as boolean);
  },
};

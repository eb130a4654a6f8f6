/** `berth image inspect` and `berth inspect` (images only, for now). */
import type { BerthClient } from '../../client/index.js';
import { StatusError, write, type CommandContext, type CommandSpec } from '../command.js';
import { compileTemplate, type CompiledTemplate } from '../format/template.js';
import { finalTemplate } from '../format/formatter.js';
import type { FlagSpec } from '../flags.js';
import { describeError } from './errors.js';
import { indentJson } from './common.js';
import { imageInspectView } from './inspect-view.js';

const INSPECT_FORMAT_HELP =
  "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.";

const formatFlag: FlagSpec = { long: 'format', short: 'f', type: 'string', usage: INSPECT_FORMAT_HELP, valueName: 'string' };

/** docker exits 64 (usage) when an inspect template does not even parse. */
function parseOrExit(format: string): CompiledTemplate {
  try {
    return compileTemplate(finalTemplate(format));
  } catch (err) {
    throw new StatusError(`template parsing error: ${(err as Error).message}`, 64);
  }
}

interface Found {
  raw: string;
  value: Record<string, unknown>;
}

/** Renders one object: typed view first, then docker's raw-map fallback. */
function renderWithTemplate(template: CompiledTemplate, found: Found): string {
  try {
    return template.execute(imageInspectView(found.value as never));
  } catch {
    return template.execute(found.value, { missingKeyError: true });
  }
}

async function inspectImages(ctx: CommandContext, names: string[], format: string, notFound: (name: string) => string): Promise<number> {
  const client: BerthClient = await ctx.client();
  const template = format && format !== 'json' ? parseOrExit(format) : undefined;
  const found: Found[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      const { raw, value } = await client.inspectImage(name);
      found.push({ raw, value });
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      errors.push(kind === 'notFound' ? notFound(name) || describeError(err, ctx.host) : describeError(err, ctx.host));
    }
  }
  let output: string;
  if (template) {
    try {
      output = found.map((f) => renderWithTemplate(template, f) + '\n').join('');
    } catch (err) {
      // docker has printed the newline of the failed element by then.
      await write(ctx.stdout, '\n');
      throw new StatusError(`template parsing error: ${(err as Error).message}`, 1);
    }
  } else if (found.length === 0) {
    output = '[]\n';
  } else {
    output = indentJson(`[${found.map((f) => f.raw).join(',')}]`) + '\n';
  }
  await write(ctx.stdout, output);
  if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
  return 0;
}

export const imageInspectCommand: CommandSpec = {
  path: 'image inspect',
  aliases: ['image inspect'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  args: { kind: 'min', count: 1 },
  flags: [formatFlag],
  run: (ctx, { flags, args }) => inspectImages(ctx, args, flags.format as string, () => ''),
};

const SUPPORTED_TYPES = ['image'];
const KNOWN_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export const inspectCommand: CommandSpec = {
  path: 'inspect',
  aliases: ['inspect'],
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on berth objects',
  args: { kind: 'min', count: 1 },
  flags: [formatFlag, { long: 'type', type: 'string', usage: 'Only inspect objects of the given type', valueName: 'string' }],
  async run(ctx, { flags, args }) {
    const type = flags.type as string;
    if (type && !KNOWN_TYPES.includes(type)) {
      throw new StatusError(`unknown type: "${type}": must be one of ${KNOWN_TYPES.map((t) => `"${t}"`).join(', ')}`, 1);
    }
    if (type && !SUPPORTED_TYPES.includes(type)) throw new StatusError(`berth inspect: --type ${type} is not supported yet (only images)`, 1);
    const notFound = (name: string) => (type ? `Error: No such ${type}: ${name}` : `Error: No such object: ${name}`);
    return inspectImages(ctx, args, flags.format as string, notFound);
  },
};

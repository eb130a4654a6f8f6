/** Helpers shared by the image and system commands. */
import type { Readable } from 'node:stream';
import type { JsonMessage } from '../../client/types.js';
import { parseFilterFlag } from '../../client/filters.js';
import { StatusError, write, type CommandContext } from '../command.js';
import type { FlagSpec } from '../flags.js';

export const FORMAT_HELP_TABLE =
  "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.";

/** --format help of commands that print one object (info, version, inspect): no table forms. */
export const FORMAT_HELP_OBJECT =
  "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.";

export function formatFlag(usage = FORMAT_HELP_TABLE, short?: string): FlagSpec {
  return { long: 'format', short, type: 'string', usage, valueName: 'string' };
}

export function filterFlag(usage = 'Filter output based on conditions provided'): FlagSpec {
  return {
    long: 'filter',
    short: 'f',
    type: 'stringArray',
    usage,
    valueName: 'filter',
    validate: (value) => {
      if (value !== '') parseFilterFlag(value);
    },
  };
}

/** docker's stringid.TruncateID: drop the algorithm, keep 12 hex digits. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const hex = colon >= 0 ? id.slice(colon + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** docker's formatter.Ellipsis: cut to maxWidth runes, ending in `…`. */
export function ellipsis(text: string, maxWidth: number): string {
  const runes = [...text];
  if (runes.length <= maxWidth) return text;
  if (maxWidth <= 1) return runes.slice(0, maxWidth).join('');
  return runes.slice(0, maxWidth - 1).join('') + '…';
}

/**
 * Prints a JSON message stream the way docker's jsonmessage does for a
 * non-terminal: `stream` text verbatim, `status` lines (prefixed with the id),
 * and the first error ends the command with its message.
 */
export async function displayJsonMessages(ctx: CommandContext, messages: AsyncIterable<JsonMessage>): Promise<void> {
  for await (const msg of messages) {
    if (msg.errorDetail?.message || msg.error) throw new StatusError(msg.errorDetail?.message || msg.error || '', 1);
    if (msg.aux !== undefined) continue;
    if (msg.progressDetail && msg.progressDetail.current !== undefined && !ctx.stdout.isTTY) continue;
    const prefix = msg.id ? `${msg.id}: ` : '';
    if (msg.stream !== undefined) await write(ctx.stdout, prefix + msg.stream);
    else if (msg.progress) await write(ctx.stdout, `${prefix}${msg.status ?? ''} ${msg.progress}\n`);
    else if (msg.status !== undefined) await write(ctx.stdout, `${prefix}${msg.status}\n`);
  }
}

/** docker's PromptForConfirmation: `MESSAGE [y/N] `, true only for y/Y. */
export async function confirm(ctx: CommandContext, message: string): Promise<boolean> {
  await write(ctx.stdout, `${message} [y/N] `);
  const answer = await readLine(ctx.stdin);
  return answer.trim().toLowerCase() === 'y';
}

function readLine(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let buffered = '';
    const onData = (chunk: Buffer | string) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl !== -1) finish(buffered.slice(0, nl));
    };
    const finish = (line: string) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
      resolve(line);
    };
    const onEnd = () => finish(buffered);
    stream.on('data', onData);
    stream.on('end', onEnd);
  });
}

/**
 * Go's json.Indent(dst, src, "", indent): re-indents JSON text without
 * re-encoding it, so the daemon's bytes (key order, escapes, big numbers)
 * come through unchanged. Empty arrays and objects stay `[]` / `{}`.
 */
export function indentJson(source: string, indent = '    '): string {
  let out = '';
  let depth = 0;
  let needIndent = false;
  const newline = () => '\n' + indent.repeat(depth);
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '"') {
      let end = i + 1;
      while (end < source.length && source[end] !== '"') end += source[end] === '\\' ? 2 : 1;
      if (needIndent) {
        out += newline();
        needIndent = false;
      }
      out += source.slice(i, end + 1);
      i = end;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue;
    if (needIndent && ch !== ']' && ch !== '}') {
      out += newline();
      needIndent = false;
    }
    if (ch === '{' || ch === '[') {
      out += ch;
      depth++;
      needIndent = true;
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (needIndent) needIndent = false;
      else out += newline();
      out += ch;
    } else if (ch === ',') {
      out += ',' + newline();
    } else if (ch === ':') {
      out += ': ';
    } else {
      out += ch;
    }
  }
  return out;
}

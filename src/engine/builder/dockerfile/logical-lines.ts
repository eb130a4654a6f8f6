/**
 * From Dockerfile text to logical lines, as moby's parser reads it: parser
 * directives at the top, comment lines dropped, and lines ending in the escape
 * character joined with the next (comment and blank lines inside such a
 * continuation are skipped; blank ones earn moby's warning).
 */
import { invalid } from '../../../lib/errors.js';
import { trimLeftGoSpace } from '../../../lib/go-text.js';
import type { Directives } from './types.js';

type EscapeChar = Directives['escape'];

export interface LogicalLine {
  /** The instruction text: continuations joined, escape characters that continued a line removed. */
  text: string;
  /** 1-based line where it starts. */
  line: number;
}

export interface SplitDockerfile {
  directives: Directives;
  lines: LogicalLine[];
  warnings: string[];
}

/** `# name=value`; Go's `\s` is ASCII white space without \v. */
const DIRECTIVE = /^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax']);

/**
 * The escape character continues a line when it ends the line (trailing
 * blanks allowed), unless it is itself escaped: `c:\\` ends an instruction.
 */
const CONTINUATION: Record<EscapeChar, RegExp> = {
  '\\': /([^\\])\\[ \t]*$|^\\[ \t]*$/,
  '`': /([^`])`[ \t]*$|^`[ \t]*$/,
};

/** Directives are only looked for until the first line that is not one (instruction, comment or blank). */
class DirectiveReader {
  readonly directives: Directives;
  private done = false;
  private readonly seen = new Set<string>();

  constructor(escape: EscapeChar) {
    this.directives = { escape };
  }

  read(line: string): void {
    if (this.done) return;
    const match = DIRECTIVE.exec(line);
    const name = match?.[1].toLowerCase();
    if (!match || !name || !KNOWN_DIRECTIVES.has(name)) {
      this.done = true;
      return;
    }
    if (this.seen.has(name)) throw invalid(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    if (name === 'syntax') this.directives.syntax = match[2];
    else this.directives.escape = escapeToken(match[2]);
  }
}

function escapeToken(value: string): EscapeChar {
  if (value === '\\' || value === '`') return value;
  throw invalid(`invalid escape token '${value}' does not match \` or \\`);
}

/** Splits a Dockerfile; `escape` is the escape character until a directive changes it. */
export function splitLogicalLines(text: string, escape: EscapeChar = '\\'): SplitDockerfile {
  const physical = physicalLines(text);
  const reader = new DirectiveReader(escape);
  const lines: LogicalLine[] = [];
  const warnings: string[] = [];
  let index = 0;
  while (index < physical.length) {
    const line = index + 1;
    const first = stripLine(physical[index++], true, reader);
    let { text: joined, continues } = cutContinuation(first, reader.directives.escape);
    if (!continues && joined === '') continue;
    let sawBlankLine = false;
    while (continues && index < physical.length) {
      const raw = physical[index++];
      const stripped = stripLine(raw, false, reader);
      if (isCommentLine(raw)) continue;
      if (trimLeftGoSpace(stripped) === '') {
        sawBlankLine = true;
        continue;
      }
      const next = cutContinuation(stripped, reader.directives.escape);
      joined += next.text;
      continues = next.continues;
    }
    if (sawBlankLine) warnings.push(`[WARNING]: Empty continuation line found in:\n    ${joined}`);
    lines.push({ text: joined, line });
  }
  if (warnings.length > 0) warnings.push('[WARNING]: Empty continuation lines will become errors in a future release.');
  return { directives: reader.directives, lines, warnings };
}

/** Lines without their end-of-line characters (a final newline does not start another line). */
function physicalLines(text: string): string[] {
  const lines = text.replace(/^\ufeff/, '').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.replace(/\r+$/, ''));
}

/**
 * A physical line as the parser uses it: an instruction's first line loses
 * its leading white space (continuation lines keep theirs) and a line that
 * starts with `#` is a comment, so it becomes empty.
 */
function stripLine(raw: string, isFirst: boolean, reader: DirectiveReader): string {
  const line = isFirst ? trimLeftGoSpace(raw) : raw;
  reader.read(line);
  return line.startsWith('#') ? '' : line;
}

function isCommentLine(raw: string): boolean {
  return trimLeftGoSpace(raw).startsWith('#');
}

function cutContinuation(line: string, escape: EscapeChar): { text: string; continues: boolean } {
  const pattern = CONTINUATION[escape];
  if (!pattern.test(line)) return { text: line, continues: false };
  return { text: line.replace(pattern, '$1'), continues: true };
}

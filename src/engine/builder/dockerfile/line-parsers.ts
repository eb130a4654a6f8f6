/**
 * The first pass of moby's parser over one logical line: the instruction
 * word, its `--flags`, and the arguments split the way that instruction
 * splits them (JSON array, whitespace list, key=value words, the whole rest).
 * Nothing is expanded here and quotes stay in the words.
 */
import { invalid } from '../../../lib/errors.js';
import { goQuote, isGoSpace, trimGoSpace, trimLeftGoSpace } from '../../../lib/go-text.js';
import type { Directives } from './types.js';

type EscapeChar = Directives['escape'];

export interface RawNode {
  /** The instruction word, lower-cased. */
  command: string;
  /** `--name=value` words before the arguments, dashes kept. */
  flags: string[];
  args: string[];
  /** The arguments were a JSON array (exec form). */
  json: boolean;
  /** The logical line. */
  original: string;
  /** ONBUILD's instruction. */
  trigger?: RawNode;
}

type Arguments = Pick<RawNode, 'args' | 'json' | 'trigger'>;
type LineParser = (rest: string, escape: EscapeChar) => Arguments;

/** Go's `[\t\v\f\r ]+`: the separator of whitespace lists (no Unicode spaces, unlike TrimSpace). */
const WHITESPACE_RUN = /[\t\v\f\r ]+/;

export function parseNode(line: string, escape: EscapeChar): RawNode {
  const trimmed = trimGoSpace(line);
  const separator = WHITESPACE_RUN.exec(trimmed);
  const command = (separator ? trimmed.slice(0, separator.index) : trimmed).toLowerCase();
  const afterCommand = separator ? trimmed.slice(separator.index + separator[0].length) : '';
  const { flags, rest } = extractBuilderFlags(afterCommand);
  const parse = LINE_PARSERS.get(command) ?? ignoreArguments;
  return { command, flags, ...parse(trimGoSpace(rest), escape), original: line };
}

/**
 * Leading words that start with `--` are flags, up to the first other word or
 * a lone `--`. Quotes group and `\` escapes inside a flag; note that moby
 * hard-codes `\` here whatever the escape directive says.
 */
function extractBuilderFlags(line: string): { flags: string[]; rest: string } {
  const flags: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && isGoSpace(line[pos])) pos++;
    if (pos >= line.length) return { flags, rest: '' };
    if (!line.startsWith('--', pos)) return { flags, rest: line.slice(pos) };
    const flag = readFlagWord(line, pos);
    if (flag.word === '--') return { flags, rest: line.slice(flag.end) };
    if (flag.word !== '' || flag.quoted) flags.push(flag.word);
    pos = flag.end;
  }
}

function readFlagWord(line: string, start: number): { word: string; quoted: boolean; end: number } {
  let word = '';
  let quote = '';
  let quoted = false;
  let pos = start;
  for (; pos < line.length; pos++) {
    let ch = line[pos];
    if (quote === '' && isGoSpace(ch)) break;
    if (quote === '' && (ch === "'" || ch === '"')) {
      [quote, quoted] = [ch, true];
      continue;
    }
    if (ch === quote) {
      quote = '';
      continue;
    }
    if (ch === '\\') {
      if (pos + 1 === line.length) return { word, quoted, end: line.length }; // a trailing escape is dropped
      ch = line[++pos];
    }
    word += ch;
  }
  return { word, quoted, end: pos };
}

const maybeJson: LineParser = (rest) => {
  if (rest === '') return noArguments();
  return jsonArray(rest) ?? { args: [rest], json: false };
};

const maybeJsonList: LineParser = (rest) => jsonArray(rest) ?? whitespaceList(rest);

const whitespaceList = (rest: string): Arguments => ({ args: rest === '' ? [] : rest.split(WHITESPACE_RUN), json: false });

const wholeRest: LineParser = (rest) => ({ args: rest === '' ? [] : [rest], json: false });

const nameOrNameValueWords: LineParser = (rest, escape) => ({ args: splitWords(rest, escape), json: false });

const ignoreArguments: LineParser = () => noArguments();

function noArguments(): Arguments {
  return { args: [], json: false };
}

/**
 * Exec form: a JSON array of strings. Anything that is not JSON (or not an
 * array) is not exec form, and the caller falls back to shell form; but a JSON
 * array holding anything other than strings is an error, as in moby.
 */
function jsonArray(rest: string): Arguments | null {
  const text = trimLeftGoSpace(rest);
  if (!text.startsWith('[')) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  if (!parsed.every((item) => typeof item === 'string')) {
    throw invalid('when using JSON array syntax, arrays must be comprised of strings only');
  }
  return { args: parsed as string[], json: true };
}

/** ENV and LABEL: legacy `KEY value…` (one pair, the value is the rest) or `k=v k2="v 2"` pairs. */
function keyValuePairs(instruction: 'ENV' | 'LABEL'): LineParser {
  return (rest, escape) => {
    const words = splitWords(rest, escape);
    if (words.length === 0) return noArguments();
    if (!words[0].includes('=')) return legacyPair(rest, instruction);
    const args = words.flatMap((word) => {
      const equals = word.indexOf('=');
      if (equals < 0) throw invalid(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
      return [word.slice(0, equals), word.slice(equals + 1)];
    });
    return { args, json: false };
  };
}

function legacyPair(rest: string, instruction: string): Arguments {
  const separator = WHITESPACE_RUN.exec(rest);
  if (!separator) throw invalid(`${instruction} must have two arguments`);
  const value = rest.slice(separator.index + separator[0].length);
  return { args: [rest.slice(0, separator.index), value], json: false };
}

/** HEALTHCHECK: a type word (CMD, NONE) then a command in either form. */
const healthConfig: LineParser = (rest, escape) => {
  let typeEnd = 0;
  while (typeEnd < rest.length && !isGoSpace(rest[typeEnd])) typeEnd++;
  if (typeEnd === 0) return noArguments();
  const command = maybeJson(trimLeftGoSpace(rest.slice(typeEnd)), escape);
  return { args: [rest.slice(0, typeEnd), ...command.args], json: command.json };
};

/** ONBUILD: the rest is an instruction of its own. */
const subCommand: LineParser = (rest, escape) => {
  if (rest === '') return noArguments();
  const trigger = parseNode(rest, escape);
  return { args: [trigger.command, ...trigger.args], json: false, trigger };
};

/**
 * Words separated by unquoted white space, quotes and escapes kept (they are
 * removed at expansion). An escape character makes the next character part of
 * the word, quotes included; inside double quotes it escapes too, inside
 * single quotes nothing does.
 */
export function splitWords(rest: string, escape: EscapeChar): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let keepEmpty = false;
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (!inWord && isGoSpace(ch)) continue;
    inWord = true;
    if (quote === '' && isGoSpace(ch)) {
      if (keepEmpty || word !== '') words.push(word);
      [word, inWord, keepEmpty] = ['', false, false];
      continue;
    }
    if (quote === '' && (ch === "'" || ch === '"')) [quote, keepEmpty] = [ch, true];
    else if (ch === quote) quote = '';
    if (ch === escape && quote !== "'") {
      if (i + 1 === chars.length) break; // an escape at the very end is dropped
      word += ch + chars[++i];
      continue;
    }
    word += ch;
  }
  if (inWord && (keepEmpty || word !== '')) words.push(word);
  return words;
}

/** Unknown instructions parse to no arguments here; the second pass reports them. */
const LINE_PARSERS: ReadonlyMap<string, LineParser> = new Map([
  ['add', maybeJsonList],
  ['arg', nameOrNameValueWords],
  ['cmd', maybeJson],
  ['copy', maybeJsonList],
  ['entrypoint', maybeJson],
  ['env', keyValuePairs('ENV')],
  ['expose', whitespaceList],
  ['from', whitespaceList],
  ['healthcheck', healthConfig],
  ['label', keyValuePairs('LABEL')],
  ['maintainer', wholeRest],
  ['onbuild', subCommand],
  ['run', maybeJson],
  ['shell', maybeJson],
  ['stopsignal', wholeRest],
  ['user', wholeRest],
  ['volume', maybeJsonList],
  ['workdir', wholeRest],
]);

/**
 * Shell-word expansion for Dockerfile arguments, as buildkit's shell/lex.go
 * does it for the classic builder: quotes are removed, the escape character
 * escapes, and `$VAR` / `${VAR…}` are replaced from the environment in scope.
 * It is not a shell: no globbing, no command substitution, and no IFS.
 */
import { invalid } from '../../../lib/errors.js';
import { goQuote, isGoSpace } from '../../../lib/go-text.js';
import { replacePattern, trimPatternPrefix, trimPatternSuffix } from './shell-pattern.js';
import type { Directives } from './types.js';

type EscapeChar = Directives['escape'];

export class ShellLex {
  constructor(private readonly escape: EscapeChar) {}

  /** The word with quotes removed and variables expanded. */
  processWord(word: string, env: Map<string, string>): string {
    return this.expand(word, env).result;
  }

  /** The word expanded, then split on white space that was neither quoted nor escaped (EXPOSE, VOLUME lists). */
  processWords(word: string, env: Map<string, string>): string[] {
    return this.expand(word, env).words;
  }

  private expand(word: string, env: Map<string, string>): Expansion {
    try {
      return new WordExpander(word, env, this.escape).expandUntil(undefined, false);
    } catch (err) {
      if (!(err instanceof LexError)) throw err;
      throw invalid(`failed to process ${goQuote(word)}: ${err.message}`);
    }
  }
}

class LexError extends Error {}

interface Expansion {
  result: string;
  words: string[];
}

/** Parameters with one-character names ($@, $#, $?, …); they expand like any other name. */
const SPECIAL_PARAMETERS = new Set([...'@*#?-$!0']);
const DIGIT = /^\p{Nd}$/u;
const LETTER = /^\p{L}$/u;

/** One pass over one word; a cursor over its characters (code points, as Go's scanner reads runes). */
class WordExpander {
  private readonly chars: string[];
  private pos = 0;
  /** Inside `${v#…}`, `${v%…}` and `${v/…}` the escapes are kept: they belong to the pattern. */
  private keepEscapes = false;

  constructor(
    word: string,
    private readonly env: Map<string, string>,
    private readonly escape: EscapeChar,
  ) {
    this.chars = Array.from(word);
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    return this.pos < this.chars.length ? this.chars[this.pos++] : undefined;
  }

  /** Expands up to `stop` (consumed) or the end of the word when `stop` is undefined. */
  expandUntil(stop: string | undefined, keepEscapes: boolean): Expansion {
    const outer = this.keepEscapes;
    this.keepEscapes = keepEscapes;
    try {
      return this.expandLoop(stop);
    } finally {
      this.keepEscapes = outer;
    }
  }

  private expandLoop(stop: string | undefined): Expansion {
    let result = '';
    const words = new WordSplitter();
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (ch === stop) {
        this.next();
        return { result, words: words.finish() };
      }
      if (ch === '$' || ch === "'" || ch === '"') {
        const text = ch === '$' ? this.dollar() : ch === "'" ? this.singleQuoted() : this.doubleQuoted();
        result += text;
        if (ch === '$') words.addExpanded(text);
        else words.addQuoted(text);
        continue;
      }
      this.next();
      if (ch !== this.escape) {
        words.addChar(ch);
        result += ch;
        continue;
      }
      if (this.keepEscapes) {
        words.addQuoted(ch);
        result += ch;
      }
      const escaped = this.next();
      if (escaped === undefined) break; // an escape at the very end escapes nothing
      words.addQuoted(escaped);
      result += escaped;
    }
    if (stop !== undefined) throw new LexError(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.finish() };
  }

  /** Everything up to the next ' is literal: nothing can be escaped in single quotes. */
  private singleQuoted(): string {
    this.next();
    let result = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return result;
      result += ch;
    }
  }

  /** Variables expand in double quotes; the escape character escapes only `"`, `$` and itself there. */
  private doubleQuoted(): string {
    this.next();
    let result = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        return result;
      }
      if (ch === '$') {
        result += this.dollar();
        continue;
      }
      result += this.doubleQuotedChar();
    }
  }

  private doubleQuotedChar(): string {
    const ch = this.next()!;
    if (ch !== this.escape) return ch;
    const kept = this.keepEscapes ? ch : '';
    const following = this.peek();
    if (following === undefined) return kept;
    if (following === '"' || following === '$' || following === this.escape) return kept + this.next()!;
    return kept + ch;
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.name();
      return name === '' ? '$' : (this.env.get(name) ?? '');
    }
    this.next();
    const first = this.peek();
    if (first === undefined) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.name();
    const operator = this.next();
    switch (operator) {
      case '}':
        return this.env.get(name) ?? '';
      case ':':
        return this.modifier(name, this.next(), true);
      case '+':
      case '-':
      case '?':
      case '#':
      case '%':
        return this.modifier(name, operator, false);
      case '/':
        return this.replacement(name);
      default:
        throw unsupportedModifier(operator);
    }
  }

  /** `${name<op>word}`; with `colon`, an empty value counts as unset (`${name:-word}`). */
  private modifier(name: string, op: string | undefined, colon: boolean): string {
    const word = this.wordUntilBrace(op === '#' || op === '%');
    const value = this.env.get(name);
    const unset = value === undefined || (colon && value === '');
    switch (op) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (unset) throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%':
        return trimByPattern(op, word, value ?? '');
      default:
        throw unsupportedModifier((colon ? ':' : '') + (op ?? '\ufffd'));
    }
  }

  private wordUntilBrace(keepEscapes: boolean): string {
    try {
      return this.expandUntil('}', keepEscapes).result;
    } catch (err) {
      if (this.peek() === undefined) throw new LexError("syntax error: missing '}'");
      throw err;
    }
  }

  /** `${name/pattern/replacement}` replaces the first match, `${name//pattern/replacement}` every match. */
  private replacement(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      pattern = this.expandUntil('/', true).result;
    } catch (err) {
      if (this.peek() === undefined) throw new LexError("syntax error: missing '/' in ${}");
      throw err;
    }
    const replacement = this.wordUntilBrace(true);
    try {
      return replacePattern(this.env.get(name) ?? '', pattern, replacement, all);
    } catch (err) {
      throw invalidPattern(pattern, err);
    }
  }

  /** A variable name: letters, digits and `_`; or all digits ($1); or one special parameter ($@). */
  private name(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && DIGIT.test(ch)) return this.digits();
      if (name === '' && SPECIAL_PARAMETERS.has(ch)) return this.next()!;
      if (!LETTER.test(ch) && !DIGIT.test(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  private digits(): string {
    let digits = '';
    for (let ch = this.peek(); ch !== undefined && DIGIT.test(ch); ch = this.peek()) digits += this.next();
    return digits;
  }
}

/** `#`/`%` trim the shortest match, `##`/`%%` the longest. */
function trimByPattern(op: '#' | '%', word: string, value: string): string {
  const greedy = word.startsWith(op);
  const pattern = greedy ? word.slice(1) : word;
  try {
    return op === '#' ? trimPatternPrefix(pattern, value, greedy) : trimPatternSuffix(pattern, value, greedy);
  } catch (err) {
    throw invalidPattern(pattern, err);
  }
}

function invalidPattern(pattern: string, err: unknown): LexError {
  return new LexError(`invalid pattern (${pattern}) in substitution: ${(err as Error).message}`);
}

function unsupportedModifier(modifier: string | undefined): LexError {
  // Go prints the end of input as the replacement character.
  return new LexError(`unsupported modifier (${modifier ?? '\ufffd'}) in substitution`);
}

/**
 * Collects the words of processWords: only white space that came from the
 * word itself or from a variable's value splits; quoted and escaped
 * characters never do. Empty quotes make no word.
 */
class WordSplitter {
  private word = '';
  private inWord = false;
  private readonly words: string[] = [];

  addChar(ch: string): void {
    if (!isGoSpace(ch)) this.addQuoted(ch);
    else if (this.inWord && this.word !== '') this.endWord();
  }

  addExpanded(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addQuoted(text: string): void {
    this.word += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word !== '') this.endWord();
    return this.words;
  }

  private endWord(): void {
    this.words.push(this.word);
    this.word = '';
    this.inWord = false;
  }
}

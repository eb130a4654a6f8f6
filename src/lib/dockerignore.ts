/**
 * `.dockerignore` as Docker reads it (moby/patternmatcher and its ignorefile
 * reader): patterns in Go's filepath.Match syntax plus `**` for any number of
 * directories, `!` for exceptions, and the last matching pattern wins. A
 * pattern that matches a directory excludes everything below it.
 */
import { invalid } from './errors.js';

/** The patterns of a .dockerignore file: comments and blank lines dropped, each pattern cleaned. */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const [index, rawLine] of text.split('\n').entries()) {
    const line = index === 0 ? rawLine.replace(/^\ufeff/, '') : rawLine;
    // Only a `#` in column 1 starts a comment; a pattern may start with white space then `#`.
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const exception = pattern.startsWith('!');
    if (exception) pattern = pattern.slice(1).trim();
    if (pattern !== '') pattern = relativeToContext(cleanPath(pattern));
    patterns.push(exception ? `!${pattern}` : pattern);
  }
  return patterns;
}

/** `/foo` means `foo`: the context root is the root. */
function relativeToContext(pattern: string): string {
  return pattern.length > 1 && pattern.startsWith('/') ? pattern.slice(1) : pattern;
}

/** Go's path.Clean: no empty, `.` or resolvable `..` elements, no trailing slash; '' is '.'. */
export function cleanPath(path: string): string {
  const rooted = path.startsWith('/');
  const kept: string[] = [];
  for (const element of path.split('/')) {
    if (element === '' || element === '.') continue;
    if (element !== '..') kept.push(element);
    else if (kept.length > 0 && kept[kept.length - 1] !== '..') kept.pop();
    else if (!rooted) kept.push('..');
  }
  const joined = kept.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

export class PatternMatcher {
  /** True when any pattern is a `!` exception. */
  readonly exclusions: boolean;
  private readonly patterns: Pattern[];

  /** Throws `invalid` for a malformed pattern (an unclosed `[`, a trailing `\`, a lone `!`). */
  constructor(patterns: string[]) {
    this.patterns = [];
    for (const text of patterns) {
      const trimmed = text.trim();
      if (trimmed === '') continue;
      // Cleaned before the `!` is looked at, as moby does (so `!a/../b` is the plain pattern `b`).
      const cleaned = cleanPath(trimmed);
      const exception = cleaned.startsWith('!');
      if (exception && cleaned.length === 1) throw invalid('illegal exclusion pattern: "!"');
      this.patterns.push(new Pattern(exception ? cleaned.slice(1) : cleaned, exception));
    }
    this.exclusions = this.patterns.some((pattern) => pattern.exception);
  }

  /**
   * Whether the path (relative to the context root, `/`-separated) is
   * excluded: the last pattern that matches it, or one of its parent
   * directories, decides (moby's MatchesOrParentMatches).
   */
  matches(relPath: string): boolean {
    const path = cleanPath(relPath);
    if (path === '.') return false; // the context itself is never excluded
    const parents = parentDirectories(path);
    let excluded = false;
    for (const pattern of this.patterns) {
      // Only a pattern that could change the answer is worth evaluating.
      if (pattern.exception !== excluded) continue;
      if (pattern.test(path) || parents.some((parent) => pattern.test(parent))) excluded = !pattern.exception;
    }
    return excluded;
  }

  /**
   * Whether an exception could re-include something below this excluded
   * directory, so a walker must still descend into it (`docs` with
   * `!docs/README.md`, or `!**\/*.go`).
   */
  mayMatchExceptionBelow(dirRelPath: string): boolean {
    const dir = cleanPath(dirRelPath).split('/');
    return this.patterns.some((pattern) => pattern.exception && pattern.mayMatchBelow(dir));
  }
}

/** `a/b/c` → [`a`, `a/b`]. */
function parentDirectories(path: string): string[] {
  const elements = path.split('/');
  return elements.slice(0, -1).map((_, i) => elements.slice(0, i + 1).join('/'));
}

type MatchKind = 'exact' | 'prefix' | 'suffix' | 'regexp';

/**
 * One cleaned pattern. Like moby, the simple shapes skip the regex: a plain
 * path compares exactly, `dir/**` is a prefix, `**\/name` a suffix.
 */
class Pattern {
  private readonly kind: MatchKind;
  private readonly regex: RegExp | undefined;
  /** One pattern per `/`-separated segment, for mayMatchBelow; undefined for `**` segments. */
  private segments: (Pattern | undefined)[] | undefined;

  constructor(
    private readonly text: string,
    readonly exception: boolean,
  ) {
    const compiled = compile(text);
    this.kind = compiled.kind;
    this.regex = compiled.kind === 'regexp' ? new RegExp(compiled.source, 'u') : undefined;
  }

  test(path: string): boolean {
    switch (this.kind) {
      case 'exact':
        return path === this.text;
      case 'prefix':
        return path.startsWith(this.text.slice(0, -2));
      case 'suffix': {
        const suffix = this.text.slice(2);
        return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
      }
      case 'regexp':
        return this.regex!.test(path);
    }
  }

  /**
   * Whether some path below `dir` could match: the pattern is deeper than
   * `dir` and its leading segments match `dir`'s. A `**` could span any
   * depth, so from there on anything could.
   */
  mayMatchBelow(dir: string[]): boolean {
    this.segments ??= this.text.split('/').map((text) => (text.includes('**') ? undefined : new Pattern(text, false)));
    for (const [i, segment] of this.segments.entries()) {
      if (segment === undefined || i >= dir.length) return true;
      if (!segment.test(dir[i])) return false;
    }
    return false;
  }
}

/**
 * The regex of a pattern, and which simpler kind of match will do instead
 * (moby's Pattern.compile). `*` and `?` never cross a `/`; `**` crosses any
 * number of them.
 */
function compile(pattern: string): { kind: MatchKind; source: string } {
  const chars = Array.from(pattern);
  let kind: MatchKind = 'exact';
  let source = '^';
  for (let pos = 0, step = 0; pos < chars.length; step++) {
    const ch = chars[pos++];
    if (ch === '*' && chars[pos] === '*') {
      pos++;
      if (chars[pos] === '/') pos++; // `**/` is `**`
      const atEnd = pos >= chars.length;
      if (atEnd && kind === 'exact') kind = 'prefix';
      else [kind, source] = ['regexp', source + (atEnd ? '.*' : '(?:.*/)?')];
      if (step === 0) kind = 'suffix';
    } else if (ch === '*' || ch === '?') {
      [kind, source] = ['regexp', source + (ch === '*' ? '[^/]*' : '[^/]')];
    } else if (ch === '\\') {
      if (pos >= chars.length) throw badPattern(pattern);
      [kind, source] = ['regexp', source + escapeLiteral(chars[pos++])];
    } else if (ch === '[') {
      const bracket = bracketExpression(chars, pos, pattern);
      [kind, source, pos] = ['regexp', source + bracket.source, bracket.end];
    } else {
      source += escapeLiteral(ch);
    }
  }
  return { kind, source: `${source}$` };
}

/**
 * A filepath.Match character class starting after its `[`: `[abc]`, `[a-z]`,
 * `[^a-z]`, `\` escaping. An empty class, a bare `-` or an unclosed class is
 * a syntax error, as in Go; so is a reversed range, which moby's regex
 * compiler rejects.
 */
function bracketExpression(chars: string[], start: number, pattern: string): { source: string; end: number } {
  let pos = start;
  const negated = chars[pos] === '^';
  if (negated) pos++;
  let ranges = '';
  for (let count = 0; chars[pos] !== ']' || count === 0; count++) {
    const low = classChar(chars, pos, pattern);
    pos = low.end;
    let high = low;
    if (chars[pos] === '-') {
      high = classChar(chars, pos + 1, pattern);
      pos = high.end;
      if (high.char.codePointAt(0)! < low.char.codePointAt(0)!) throw badPattern(pattern);
    }
    ranges += high === low ? escapeInClass(low.char) : `${escapeInClass(low.char)}-${escapeInClass(high.char)}`;
  }
  return { source: `[${negated ? '^' : ''}${ranges}]`, end: pos + 1 };
}

function classChar(chars: string[], pos: number, pattern: string): { char: string; end: number } {
  const ch = chars[pos];
  if (ch === undefined || ch === '-' || ch === ']') throw badPattern(pattern);
  if (ch !== '\\') return { char: ch, end: pos + 1 };
  if (pos + 1 >= chars.length) throw badPattern(pattern);
  return { char: chars[pos + 1], end: pos + 2 };
}

/** A literal character in a `u` regex (which rejects needless escapes such as `\-`). */
function escapeLiteral(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? `\\${ch}` : ch;
}

function escapeInClass(ch: string): string {
  return /[\\^[\]-]/.test(ch) ? `\\${ch}` : ch;
}

function badPattern(pattern: string): Error {
  return invalid(`syntax error in pattern: ${pattern}`);
}

/**
 * The shell patterns of `${var#pattern}`, `${var%pattern}` and
 * `${var/pattern/replacement}` (buildkit's lexer): `*` is any string, `?` any
 * one character, `\` escapes `*`, `?` and `\`. There are no bracket
 * expressions, as in buildkit.
 */

/** A pattern the lexer rejects; the lexer words the final message. */
export class ShellPatternError extends Error {}

/** Characters that mean something to RegExp but nothing to a shell pattern. */
const REGEX_ONLY_SPECIALS = new Set([...'[]{}.+()|^$']);

export function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let source = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') source += greedy ? '.*' : '.*?';
    else if (ch === '?') source += '.';
    else if (ch === '\\') {
      const escaped = chars[i + 1];
      // `\}` and `\/` only kept the ${} syntax from ending early: the escape is not part of the pattern.
      if (escaped === '}' || escaped === '/') continue;
      if (escaped !== '*' && escaped !== '?' && escaped !== '\\') {
        throw new ShellPatternError(`invalid escape '\\${escaped ?? '\ufffd'}'`);
      }
      source += `\\${escaped}`;
      i++;
    } else source += REGEX_ONLY_SPECIALS.has(ch) ? `\\${ch}` : ch;
  }
  return new RegExp(source, 'u');
}

/** `${value#pattern}` (shortest) and `${value##pattern}` (greedy). */
export function trimPatternPrefix(pattern: string, value: string, greedy: boolean): string {
  const match = shellPatternToRegex(pattern, greedy, true).exec(value);
  return match ? value.slice(match.index + match[0].length) : value;
}

/**
 * `${value%pattern}` and `${value%%pattern}`. A regex cannot find the
 * shortest match that ends at the end, so both pattern and value are reversed
 * and the prefix is trimmed instead.
 */
export function trimPatternSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPatternPrefix(reversePattern(pattern), reverse(value), greedy));
}

/** `${value/pattern/replacement}` and, with `all`, `${value//pattern/replacement}`. */
export function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const regex = shellPatternToRegex(pattern, true, false);
  if (all) return replaceEveryMatch(value, regex, replacement);
  const match = regex.exec(value);
  if (!match) return value;
  return value.slice(0, match.index) + replacement + value.slice(match.index + match[0].length);
}

/**
 * Go's Regexp.ReplaceAllString with a literal replacement. String.replace
 * differs where a pattern can match the empty string: Go skips an empty match
 * right after another match (the pattern `*` turns "abc" into one replacement, not two).
 */
function replaceEveryMatch(value: string, regex: RegExp, replacement: string): string {
  const global = new RegExp(regex.source, 'gu');
  let out = '';
  let lastEnd = 0;
  for (let searchFrom = 0; searchFrom <= value.length; ) {
    global.lastIndex = searchFrom;
    const match = global.exec(value);
    if (!match) break;
    const end = match.index + match[0].length;
    out += value.slice(lastEnd, match.index);
    if (end > lastEnd || match.index === 0) out += replacement;
    lastEnd = end;
    searchFrom = Math.max(searchFrom + charWidthAt(value, searchFrom), end);
  }
  return out + value.slice(lastEnd);
}

/** UTF-16 units of the character at `index` (1 past the end, so a search there still advances). */
function charWidthAt(text: string, index: number): number {
  return (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1;
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

/** Reverses a pattern but keeps each escape in front of the character it escapes (`a\*c` → `c\*a`). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const units: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    const escapesNext = chars[i] === '\\' && i < chars.length - 1;
    units.push(escapesNext ? chars[i] + chars[++i] : chars[i]);
  }
  return units.reverse().join('');
}

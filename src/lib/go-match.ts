import { invalid } from './errors.js';

/**
 * Go's path.Match: `*` matches any run of characters but '/', `?` one such
 * character, `[...]` a class (ranges, `^` or `!` to negate), `\\` escapes the
 * next character. Docker uses it for reference filters and COPY wildcards.
 * A malformed pattern is an `invalid` error, as Go's ErrBadPattern.
 */
export function goPathMatch(pattern: string, name: string): boolean {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) source += escapeRegex(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw invalid(`syntax error in pattern: ${pattern}`);
      const body = pattern.slice(i + 1, end).replace(/^[\^!]/, '^').replace(/\\(.)/g, '\\$1');
      source += `[${body}]`;
      i = end;
    } else source += escapeRegex(c);
  }
  return new RegExp(`${source}$`, 's').test(name);
}

function escapeRegex(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

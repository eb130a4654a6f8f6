/**
 * The few Go text conventions moby's Dockerfile code is built on. We follow
 * them so that our words split where Docker's split (Go's idea of a space is
 * not JavaScript's `\s`) and our messages quote values the way `%q` does.
 */

/** Go's unicode.IsSpace: ASCII white space, NEL, NBSP and the Unicode White_Space set (not BOM). */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;

export function isGoSpace(ch: string): boolean {
  return GO_SPACE.test(ch);
}

/** strings.TrimLeftFunc(s, unicode.IsSpace). */
export function trimLeftGoSpace(text: string): string {
  let start = 0;
  while (start < text.length && isGoSpace(text[start])) start++;
  return text.slice(start);
}

/** strings.TrimSpace. */
export function trimGoSpace(text: string): string {
  let end = text.length;
  while (end > 0 && isGoSpace(text[end - 1])) end--;
  return trimLeftGoSpace(text.slice(0, end));
}

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** What Go's strconv.IsPrint rejects: control, format, private and separator characters other than ' '. */
const NOT_PRINTABLE = /^[\p{C}\p{Z}]$/u;

/** Go's strconv.Quote, which is what `%q` prints in moby's messages. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) out += quoteChar(ch);
  return out + '"';
}

function quoteChar(ch: string): string {
  const named = NAMED_ESCAPES[ch];
  if (named !== undefined) return named;
  if (ch === ' ' || !NOT_PRINTABLE.test(ch)) return ch;
  const code = ch.codePointAt(0)!;
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** Go's strconv.QuoteRune, which `%q` prints for an integer: `'A'`, `'\x04'`; an invalid code point is U+FFFD. */
export function goQuoteRune(code: number): string {
  const valid = Number.isInteger(code) && code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
  const ch = String.fromCodePoint(valid ? code : 0xfffd);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  return `'${quoteChar(ch)}'`;
}

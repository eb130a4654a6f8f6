/**
 * A JSON reader that behaves as Go's json.Decoder does for one value: it reads
 * the first value of the input and ignores what follows, and its syntax
 * errors carry Go's wording ("unexpected EOF", "invalid character 'x' looking
 * for beginning of value"). Clients match on those texts, and dockerd sends
 * them. Numbers keep their source text (GoNumber), so a value that does not
 * fit an int64 field is reported with its digits, as Go does, instead of being
 * rounded by a JavaScript double first.
 */

export class GoNumber {
  constructor(readonly text: string) {}
}

export type GoJson = null | boolean | string | GoNumber | GoJson[] | { [key: string]: GoJson };

export class GoSyntaxError extends Error {}

/** Go's quoteChar: the offending character as the scanner names it. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const quoted = JSON.stringify(c);
  return `'${quoted.slice(1, -1)}'`;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

class Scanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  /** The first value; an input of only whitespace is Go's io.EOF. */
  first(): GoJson {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new GoSyntaxError('EOF');
    return this.value();
  }

  private fail(context: string): never {
    if (this.pos >= this.text.length) throw new GoSyntaxError('unexpected EOF');
    throw new GoSyntaxError(`invalid character ${quoteChar(this.text[this.pos]!)} ${context}`);
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && WHITESPACE.has(this.text[this.pos]!)) this.pos++;
  }

  private value(): GoJson {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c === 't') return this.literal('true', true);
    if (c === 'f') return this.literal('false', false);
    if (c === 'n') return this.literal('null', null);
    return this.fail('looking for beginning of value');
  }

  private literal<T>(word: string, result: T): T {
    for (let i = 1; i < word.length; i++) {
      this.pos++;
      if (this.text[this.pos] !== word[i]) this.fail(`in literal ${word} (expecting ${quoteChar(word[i]!)})`);
    }
    this.pos++;
    return result;
  }

  private number(): GoNumber {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 1024));
    if (!match || match[0] === '-') {
      this.pos++;
      return this.fail('in numeric literal');
    }
    this.pos += match[0].length;
    return new GoNumber(match[0]);
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) return this.fail('in string literal');
      if (c === '"') break;
      if (c < ' ') this.fail('in string literal');
      if (c === '\\') {
        this.pos++;
        const e = this.text[this.pos];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 1, this.pos + 5))) {
            this.pos += [...this.text.slice(this.pos + 1, this.pos + 5)].findIndex((h) => !/[0-9a-fA-F]/.test(h)) + 1;
            this.fail('in \\u hexadecimal character escape');
          }
          this.pos += 4;
        } else if (e === undefined || !'"\\/bfnrt'.includes(e)) {
          this.fail('in string escape code');
        }
      }
      this.pos++;
    }
    this.pos++;
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  private array(): GoJson[] {
    this.pos++;
    const out: GoJson[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') {
        this.pos--;
        this.fail('after array element');
      }
    }
  }

  private object(): { [key: string]: GoJson } {
    this.pos++;
    const out: { [key: string]: GoJson } = Object.create(null) as { [key: string]: GoJson };
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('after object key');
      this.pos++;
      out[key] = this.value();
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === '}') {
        this.pos++;
        return out;
      }
      if (c !== ',') this.fail('after object key:value pair');
      this.pos++;
    }
  }
}

/** The first JSON value of `text`, as Go's json.Decoder.Decode reads it; throws GoSyntaxError. */
export function scanGoJson(text: string): GoJson {
  try {
    return new Scanner(text).first();
  } catch (err) {
    // Go stops at 10000 levels of nesting; a JavaScript stack may end before that.
    if (err instanceof RangeError) throw new GoSyntaxError('exceeded max depth');
    throw err;
  }
}
